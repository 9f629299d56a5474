import { defaultPublicUrl, type Config } from '../config/config.ts';

/**
 * The origin browsers use (PUBLIC_URL). Set in the configuration, or derived from HOST and PORT;
 * with PORT=0 the port is known only once the server listens, so it is held here rather than
 * written into the configuration.
 */
export class PublicOrigin {
  private url: string;
  private readonly http: Config['http'];

  constructor(http: Config['http']) {
    this.http = http;
    this.url = http.publicUrl;
  }

  get(): string {
    return this.url;
  }

  /** The server is bound to `port` (an ephemeral one, if PORT was 0). */
  listeningOn(port: number): void {
    if (this.http.publicUrlIsDefault) this.url = defaultPublicUrl(this.http.host, port, this.http.tls !== null);
  }
}
