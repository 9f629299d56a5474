/**
 * Messages an app sends on its control channel: the vocabulary lives in the protocol
 * (`@vitrine/protocol`, control.ts, docs/app-control-channel.md); this keeps the server's import site.
 */
export {
  AppEvent,
  AppFileRequest,
  AppMessage,
  AppRequest,
  CONTROL_MAX_LINE_BYTES as MAX_LINE_BYTES,
  CONTROL_PROTOCOL_VERSION,
  parseAppMessage,
  type ServerInitBody,
  type ServerReplyBody,
} from '@vitrine/protocol';
