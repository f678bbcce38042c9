/**
 * Node flags of the gateway process, wherever it runs (`npm start`, tests and benches through
 * scripts/lib/city.ts; Kubernetes through NODE_OPTIONS in deploy/manifests.ts).
 *
 * A heap sized for the gateway: at most 8 MB a semi-space and 160 MB of old space. Left to size itself
 * for the machine, V8 lets garbage pile up: under 10,000 citizens, each a new credential and text, the
 * gateway grew to 543–648 MiB resident though a heap snapshot found under 100 MB alive (code and
 * sources included). With these flags the same 5-minute load levelled off at 234 MiB
 * (`BENCH_SOAK_SECONDS=300 BENCH_CITIZENS=10000 npm run -s bench:peers`, docs/BENCHMARKS.md). What the
 * gateway keeps is bounded by count (verified credentials and principal tokens 10,000 each, analysed
 * texts 500, shapes 2,000), well under the cap.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--max-old-space-size=160'];

/**
 * Environment of the gateway process, beside its flags: glibc's malloc limited to two arenas. Left to
 * itself glibc gives threads arenas of their own (up to eight a core), and the gateway's helper threads
 * (V8's compiler and collector, libuv's pool for WebCrypto) each kept freed memory in theirs: over five
 * minutes of 10,000 citizens the gateway plateaued at 245 MiB resident, 222 MiB with two arenas
 * (docs/BENCHMARKS.md). glibc reads it when the process starts, so it must be in its environment.
 */
export const GATEWAY_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
