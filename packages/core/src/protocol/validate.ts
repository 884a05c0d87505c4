import type { z } from 'zod';
import { MAX_CONTROL_MESSAGE_CHARS, type ErrorBody } from './common.ts';
import {
  ClientMessageSchema,
  ServerMessageSchema,
  type ClientMessage,
  type ServerMessage,
} from './signaling.ts';
import {
  DATA_FRAME_HEADER_BYTES,
  DATA_FRAME_KIND,
  PeerMessageSchema,
  type DataFrame,
  type PeerMessage,
} from './peer-wire.ts';

/** Outcome of validating untrusted input: the typed value, or an error ready to send back. */
export type Validated<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Renders zod issues as one sentence naming the offending fields. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : 'message';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates `input` against `schema`; never throws. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validated<z.infer<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: { code: 'bad-request', message: describeIssues(parsed.error) } };
}

/**
 * Cheap size guard for objects arriving from socket.io (already decoded JSON): counts
 * characters of the JSON form, stopping early once over `limit`.
 */
export function exceedsSize(input: unknown, limit = MAX_CONTROL_MESSAGE_CHARS): boolean {
  try {
    const text = JSON.stringify(input);
    return text === undefined ? false : text.length > limit;
  } catch {
    return true; // cyclic or BigInt: not something a client may send
  }
}

export function parseClientMessage(input: unknown): Validated<ClientMessage> {
  if (exceedsSize(input)) {
    return {
      ok: false,
      error: { code: 'too-large', message: `message larger than ${MAX_CONTROL_MESSAGE_CHARS} characters` },
    };
  }
  return validate(ClientMessageSchema, input);
}

export function parseServerMessage(input: unknown): Validated<ServerMessage> {
  return validate(ServerMessageSchema, input);
}

/** Parses a text DataChannel frame into a {@link PeerMessage}. */
export function parsePeerMessage(text: string): Validated<PeerMessage> {
  return parseTextFrame(PeerMessageSchema, text);
}

/**
 * Parses a text DataChannel frame against `schema`: refused unread when over the control message
 * size limit, then as JSON, then validated.
 */
export function parseTextFrame<S extends z.ZodType>(schema: S, text: string): Validated<z.infer<S>> {
  if (text.length > MAX_CONTROL_MESSAGE_CHARS) {
    return {
      ok: false,
      error: {
        code: 'too-large',
        message: `control frame larger than ${MAX_CONTROL_MESSAGE_CHARS} characters`,
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'bad-request', message: 'control frame is not JSON' } };
  }
  return validate(schema, json);
}

export function encodePeerMessage(msg: PeerMessage): string {
  return JSON.stringify(msg);
}

/** Encodes a binary data frame. */
export function encodeDataFrame(frame: DataFrame): Uint8Array {
  const out = new Uint8Array(DATA_FRAME_HEADER_BYTES + frame.payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, DATA_FRAME_KIND);
  view.setUint32(1, frame.id);
  view.setUint32(5, frame.offset);
  out.set(frame.payload, DATA_FRAME_HEADER_BYTES);
  return out;
}

/** Decodes a binary data frame; the payload is a view into `bytes`, not a copy. */
export function decodeDataFrame(bytes: Uint8Array): Validated<DataFrame> {
  if (bytes.byteLength < DATA_FRAME_HEADER_BYTES) {
    return {
      ok: false,
      error: {
        code: 'bad-request',
        message: `binary frame shorter than its ${DATA_FRAME_HEADER_BYTES}-byte header`,
      },
    };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(0);
  if (kind !== DATA_FRAME_KIND) {
    return { ok: false, error: { code: 'bad-request', message: `unknown binary frame kind ${kind}` } };
  }
  return {
    ok: true,
    value: {
      id: view.getUint32(1),
      offset: view.getUint32(5),
      payload: bytes.subarray(DATA_FRAME_HEADER_BYTES),
    },
  };
}

/** Compile-time exhaustiveness check for `switch (msg.type)`. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
