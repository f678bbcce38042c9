/** The supervision store: a tamper-evident, append-only log of every exercise of public power in the graph. */
export { openSupervisionStore } from './open-store.ts';
export { resolveSupervisionConfig, type SupervisionConfig, type ResolvedSupervisionConfig } from './config.ts';
export type {
  SupervisionStore, IntentInput, OutcomeInput, AccessInput, ActorInput, SubjectInput, RecordFilter, PageRequest, RecordPage,
  RecordProof, InclusionProof, ConsistencyProof, ChainHead, IntegritySummary,
} from './store.ts';
export { OUTCOMES, recordHash, type SupervisionRecord, type RecordRef, type RecordKind, type Outcome, type RecordActor, type RecordSubject } from './record.ts';
export { redactArgs, DEFAULT_SENSITIVE_KEYS } from './redact.ts';
export { maskIdentifier, pseudonymOf, type Pseudonym } from './pseudonym.ts';
export { canonicalJson } from './canonical.ts';
export { GENESIS_HASH, type HashAlgorithm } from './hashing.ts';
export { readCheckpointFile, CheckpointFileError, type Checkpoint, type CheckpointExport, type PublicKeyEntry } from './checkpoint.ts';
export { loadOrCreateSigner, verifySignature, SM2_USER_ID, type Signer, type SignatureAlgorithm } from './signing.ts';
export { verifyLog, type VerifyResult, type Problem, type ProblemKind } from './verify.ts';
export { verifyStore, StoreUnreadableError, type VerifyStoreOptions } from './verify-store.ts';
export { MAX_PAGE_SIZE, encodeCursor } from './log-store.ts';
export { leafHash, merkleRoot, inclusionProof, consistencyProof, verifyInclusion, verifyConsistency, MerkleFrontier } from './merkle.ts';
export { checkInclusionAnswer, checkConsistencyAnswer, checkpointFromGraph, recordFromGraph, type ProofCheck } from './proof-check.ts';
export { runWitness, WitnessRefusal, WitnessError, type WitnessOptions, type WitnessResult } from './witness.ts';
export { cosignatureMessage, cosignatureValid, type Cosignature } from './checkpoint.ts';
