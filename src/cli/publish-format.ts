/** One outcome `presenced publish` reports. Expires in seconds. */
export type PublishEvent =
  | { readonly kind: 'published' | 'refreshed'; readonly aor: string; readonly etag: string; readonly expires: number }
  | { readonly kind: 'removed'; readonly aor: string }
  | { readonly kind: 'failed'; readonly aor: string; readonly status: number; readonly reason: string; readonly hint?: string };

/**
 * The text line for an outcome, e.g. `published sip:alice@example.com (etag 9f2c, expires 3600 s)` or
 * `publishing sip:alice@example.com failed: 489 Bad Event — the server does not support presence …`.
 */
export function formatPublishEvent(e: PublishEvent): string {
  switch (e.kind) {
    case 'published':
    case 'refreshed':
      return `${e.kind} ${e.aor} (etag ${e.etag}, expires ${e.expires} s)`;
    case 'removed':
      return `removed ${e.aor}`;
    case 'failed':
      return `publishing ${e.aor} failed: ${e.status} ${e.reason}${e.hint ? ` — ${e.hint}` : ''}`;
  }
}

/**
 * The JSON line (`--json`) for an outcome: `{"time":"<ISO 8601>","event":"published",…}` with the
 * fields of {@link PublishEvent} (`kind` named `event`), without a trailing newline.
 */
export function publishEventJson(e: PublishEvent, time: Date): string {
  const { kind, ...fields } = e;
  return JSON.stringify({ time: time.toISOString(), event: kind, ...fields });
}
