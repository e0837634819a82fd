// How a notification reads as an e-mail, and how a failed delivery is recorded (without addresses).

/** The e-mail's text: the body, then the link (absolute when the app's public address is known). */
export function emailText(body: string, link: string | null, publicUrl: string | undefined): string {
  if (!link) return body;
  const target = publicUrl ? new URL(link, publicUrl).toString() : link;
  return `${body.replace(/\s+$/, '')}\n\n${target}\n`;
}

/**
 * A delivery error as stored in `email_last_error`: the SMTP reply code and message, with anything that
 * looks like an e-mail address masked (servers quote the rejected recipient) and the length bounded.
 */
export function describeDeliveryError(e: unknown): string {
  const err = e as { message?: unknown; responseCode?: unknown; code?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const parts = [
    typeof err?.code === 'string' ? err.code : null,
    typeof err?.responseCode === 'number' ? String(err.responseCode) : null,
    message,
  ];
  const text = parts
    .filter((p): p is string => !!p)
    .join(' ')
    .replace(/[^\s<>"'@,;:()[\]]+@[^\s<>"'@,;:()[\]]+/g, '<address>')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
