/**
 * Every operation the pages run. Code Generator types them and registers each as a persisted operation
 * of the client `citygraph-console`: the browser sends only their hashes.
 */
import { graphql } from './gql/index.ts';

/** One page of the mutation log, newest filters applied. */
export const MutationLogPage = graphql(`
  query ConsoleMutationLog($filter: MutationLogFilter, $first: Int, $after: String) {
    mutationLog(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      edges {
        cursor
        node {
          seq deptSeq time department kind intentSeq field operation powerItem caseNumber outcome errorCode
          actor { role department client }
          subject { kind masked }
        }
      }
    }
  }
`);

/** One record with everything its proof needs: the browser hashes it again. */
export const RecordWithProof = graphql(`
  query ConsoleRecordProof($seq: Int!) {
    supervisionRecord(seq: $seq) {
      record {
        seq deptSeq time department kind intentSeq operation field powerItem caseNumber argsDigest args outcome errorCode requestId prevHash hash
        actor { role department client sub { hmac masked } onBehalfOf { hmac masked } }
        subject { kind hmac masked }
      }
      previousHash
      nextHash
      checkpoint { id time hashAlgorithm signatureAlgorithm totalSeq keyId signature heads { department deptSeq hash root } }
      inclusion { department leafIndex treeSize leafHash auditPath root checkpointId }
      pending
    }
  }
`);

/** Integrity of every chain now, and the newest 50 checkpoints with their signatures and cosignatures. */
export const Integrity = graphql(`
  query ConsoleIntegrity {
    integrity {
      ok records problems
      departments { department head length }
      lastCheckpoint { id time }
    }
    checkpoints(last: 50) { id time hashAlgorithm signatureAlgorithm totalSeq keyId signature heads { department deptSeq root } cosignatures { keyId time } }
  }
`);

/** Counts of one department's mutations (intents) and alarms in five time buckets, for the chart. */
export const DepartmentActivity = graphql(`
  query ConsoleDepartmentActivity($department: String!, $t0: DateTime!, $t1: DateTime!, $t2: DateTime!, $t3: DateTime!, $t4: DateTime!, $t5: DateTime!) {
    m0: mutationLog(filter: { department: $department, kind: INTENT, from: $t0, to: $t1 }, first: 1) { totalCount }
    m1: mutationLog(filter: { department: $department, kind: INTENT, from: $t1, to: $t2 }, first: 1) { totalCount }
    m2: mutationLog(filter: { department: $department, kind: INTENT, from: $t2, to: $t3 }, first: 1) { totalCount }
    m3: mutationLog(filter: { department: $department, kind: INTENT, from: $t3, to: $t4 }, first: 1) { totalCount }
    m4: mutationLog(filter: { department: $department, kind: INTENT, from: $t4, to: $t5 }, first: 1) { totalCount }
    a0: alarms(filter: { department: $department, from: $t0, to: $t1 }, first: 1) { totalCount }
    a1: alarms(filter: { department: $department, from: $t1, to: $t2 }, first: 1) { totalCount }
    a2: alarms(filter: { department: $department, from: $t2, to: $t3 }, first: 1) { totalCount }
    a3: alarms(filter: { department: $department, from: $t3, to: $t4 }, first: 1) { totalCount }
    a4: alarms(filter: { department: $department, from: $t4, to: $t5 }, first: 1) { totalCount }
  }
`);

/** One page of alarms. */
export const AlarmsPage = graphql(`
  query ConsoleAlarms($filter: AlarmFilter, $first: Int, $after: String) {
    alarms(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      edges {
        node {
          id kind rule severity department caseNumber raisedAt reason evidenceSeqs status
          acknowledgement { time note actor { role } }
        }
      }
    }
  }
`);

/** An auditor acknowledges an alarm with a note (a recorded mutation). */
export const AcknowledgeAlarm = graphql(`
  mutation ConsoleAcknowledgeAlarm($id: ID!, $note: String!) {
    acknowledgeAlarm(id: $id, note: $note) { id status acknowledgement { time note } }
  }
`);

/** The citizen's dashboard across departments. */
export const CitizenDashboard = graphql(`
  query CitizenDashboard($id: ID!) {
    citizen(id: $id) {
      id name
      insurance { status type balance }
      housingFund { balance status paidUpTo }
      representedEnterprises { uscc name status }
    }
  }
`);

/** The citizen's applications and their deadlines. */
export const CitizenApplications = graphql(`
  query CitizenApplications($id: ID!) {
    citizen(id: $id) {
      id
      applications { caseNumber state submittedAt deadline remainingWorkingDays overdue paused matter { name departmentName } }
    }
  }
`);

/** Who read the citizen's data (one page). */
export const CitizenDataAccesses = graphql(`
  query CitizenDataAccesses($id: ID!, $first: Int, $after: String) {
    citizen(id: $id) {
      id
      dataAccesses(first: $first, after: $after) {
        totalCount
        pageInfo { endCursor hasNextPage }
        edges { node { seq time department reader { role department client } onYourBehalf fields purpose outcome } }
      }
    }
  }
`);

/** Every use of the citizen's city code. */
export const CitizenCodeUses = graphql(`
  query CitizenCodeUses($id: ID!) {
    citizen(id: $id) {
      id
      codeUses(first: 50) { time kind purpose scanner scannerRole place outcome errorCode disclosed recordSeq }
    }
  }
`);

/** The citizen's certificates in the electronic licence library, and who used them. */
export const CitizenDocuments = graphql(`
  query CitizenDocuments($id: ID!) {
    citizen(id: $id) {
      id
      documents { id typeName number issuer validUntil status }
      documentUses(first: 50) { documentId certificateType department by matterCode caseNumber purpose usedAt outcome errorCode recordSeq }
    }
  }
`);
