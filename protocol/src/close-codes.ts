/**
 * WebSocket close codes of the signaling socket (`/api/sessions/:id/signal`): what the server
 * closes with and the viewer acts on. 4000-4999 are the application's own range.
 */
export const CloseCode = {
  /** A normal close: the viewer left. */
  Normal: 1000,
  /** A frame over MAX_SIGNAL_BYTES (sent by the WebSocket library itself). */
  MessageTooBig: 1009,
  /** The session ended (its `bye` came first), or the connection could not be put on the audit trail. */
  Ended: 4000,
  /** Too many malformed or excess messages: the peer is closed as abusive. */
  BadMessage: 4400,
  /** No such session, or it ended before the viewer attached. */
  UnknownSession: 4404,
  /** The session already has a viewer (another tab or device); the viewer may ask to take it over. */
  ViewerExists: 4409,
  /** The session was taken over by another viewer ("Use here" in another tab); its `taken-over` came first. */
  TakenOver: 4410,
  /**
   * The server is stopping, almost always to restart: sessions do not survive it (each ended with
   * `bye` "server shutdown" first). The viewer reconnects with backoff and opens the app again.
   */
  ServerRestarting: 4503,
} as const;
/** One of the close codes above. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
