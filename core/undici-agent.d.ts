/** undici's Agent by its own file: the package's index also loads fetch, WebSocket and caches, which nothing here uses (≈ 40 ms more at every start). */
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
