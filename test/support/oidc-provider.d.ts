// oidc-provider ships no type declarations; the tests use its constructor, listen() and config object only.
declare module 'oidc-provider' {
  import type { Server } from 'node:http';
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    listen(port: number, callback?: () => void): Server;
  }
}
