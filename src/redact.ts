const REDACTED = '[redacted]';

/**
 * Secrets at least this long are also looked for on their own, as whole tokens. A shorter one is
 * never searched for in free text: a short password such as "temporal" would turn every task queue
 * and host name that contains it into "[redacted]-sync", garbling the logs and, by the gaps it leaves,
 * giving the password away. Short secrets are kept out by structure instead (below).
 */
export const MIN_FREE_STANDING_SECRET_LENGTH = 12;

/** The names under which a secret's value travels in text: key=value, "key": "value", key: value. */
const SECRET_KEYS = [
  'password',
  'passwd',
  'pgpassword',
  'api[_-]?key',
  'apikey',
  'client[_-]?key[_-]?data',
  'secret',
  'DATABASE_URL',
  'TEMPORAL_(?:SYNC_SOURCE_)?API_KEY',
  'TEMPORAL_(?:SYNC_SOURCE_)?TLS_CLIENT_KEY_DATA',
  'TEMPORAL_CODEC_AUTH',
  'TEMPORAL_SYNC_ALERT_WEBHOOK_URL',
].join('|');

/** Keeps the quotes of a quoted value: "password":"x" becomes "password":"[redacted]". */
const keepQuotes = (_match: string, key: string, value: string) =>
  /^["']/.test(value) ? `${key}${value[0]}${REDACTED}${value[0]}` : `${key}${REDACTED}`;

const STRUCTURES: Array<[RegExp, string]> = [
  // The password of any URL with credentials (postgres://user:password@host): whatever its length.
  // Up to the last @ before the host, so a decoded password holding an @ goes as a whole.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*:)[^\s"'<>/?#]*@/gi, `$1${REDACTED}@`],
  // A PEM private key, wherever it is pasted.
  [
    /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`,
  ],
  // Authorization headers: the scheme stays, the credential goes.
  [/\b(authorization["']?\s*[:=]\s*["']?(?:bearer|basic)?\s*)[^\s"',;]+/gi, `$1${REDACTED}`],
];

/** key=value, key: value, "key": "value" for keys that hold secrets (libpq's password=, our variables). */
const SECRET_VALUE = new RegExp(
  `((?:^|[^A-Za-z0-9_])(?:${SECRET_KEYS})["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s"',;&}]+)`,
  'gi',
);

const WORD = /[A-Za-z0-9_-]/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A secret as a whole token: not when it is only part of a longer word (a task queue, a host name). */
function tokenPattern(secret: string): RegExp {
  const before = WORD.test(secret[0]!) ? '(?<![A-Za-z0-9_-])' : '';
  const after = WORD.test(secret.at(-1)!) ? '(?![A-Za-z0-9_-])' : '';
  return new RegExp(`${before}${escapeRegExp(secret)}${after}`, 'g');
}

/**
 * Makes a message safe to log or store: secrets are removed by where they stand (the password in a
 * URL, the value after password= or "apiKey":, a PEM private key), whatever their length, and the
 * known secrets of MIN_FREE_STANDING_SECRET_LENGTH or more characters wherever they stand alone.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  const long = [...new Set(secrets)].filter((secret) => secret.length >= MIN_FREE_STANDING_SECRET_LENGTH);
  // Longest first, so a secret that contains another (a URL and its path) goes whole.
  for (const secret of long.sort((a, b) => b.length - a.length)) {
    redacted = redacted.replace(tokenPattern(secret), REDACTED);
  }
  for (const [pattern, replacement] of STRUCTURES) redacted = redacted.replace(pattern, replacement);
  return redacted.replace(SECRET_VALUE, keepQuotes);
}
