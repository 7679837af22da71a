/** Replaces every known secret value in a text, so messages can be logged or stored safely. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length > 0) redacted = redacted.split(secret).join('[redacted]');
  }
  // Connection strings in messages (a pg error can echo one) lose their password whatever it is.
  return redacted.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[redacted]@');
}
