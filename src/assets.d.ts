/** Files imported `with { type: 'file' }` resolve to their path (see src/core/connection.ts). */
declare module '*.wasm' {
  const path: string;
  export default path;
}
declare module '*.data' {
  const path: string;
  export default path;
}
declare module '*/standalone.js' {
  const path: string;
  export default path;
}
