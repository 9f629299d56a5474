/** JSON shapes of the HTTP API shared by server and web client. */

export type SessionState = 'starting' | 'ready' | 'streaming' | 'ended';

export interface AppInfo {
  id: string;
  name: string;
  version: string;
  description: string;
  type: 'x11';
  video: { width: number; height: number; framerate: number };
}

export interface SessionInfo {
  id: string;
  appId: string;
  state: SessionState;
  createdAt: string;
  display: { width: number; height: number; framerate: number };
  endReason?: string;
}

export interface ServerStatus {
  sandbox: {
    /** Sessions run without Landlock or without resource limits (operator's explicit choice). */
    degraded: boolean;
    landlock: 'enforced' | 'unavailable';
    cgroups: 0 | 1 | 2;
  };
}
