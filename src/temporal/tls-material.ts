import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigDataSource } from '@temporalio/envconfig';

export type TlsPart = 'clientCert' | 'clientKey' | 'serverCACert';

/** What each part must hold, for the one line that says it does not. */
const EXPECTED: Record<TlsPart, string> = {
  clientCert: 'PEM certificate (a BEGIN CERTIFICATE block)',
  clientKey: 'PEM private key (a BEGIN PRIVATE KEY block)',
  serverCACert: 'PEM certificate (a BEGIN CERTIFICATE block)',
};

export type TlsCheck = { text: string; certificate?: X509Certificate; key?: KeyObject } | { problem: string };

function readSource(source: ConfigDataSource, setting: string): { text: string } | { problem: string } {
  if (!('path' in source)) {
    return { text: typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8') };
  }
  try {
    return { text: readFileSync(source.path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'a file that does not exist'
        : code === 'EACCES'
          ? 'a file this process may not read'
          : code === 'EISDIR'
            ? 'a folder, not a file'
            : `a file that cannot be read (${code ?? 'unknown error'})`;
    return { problem: `${setting} names ${why}: ${source.path}` };
  }
}

/**
 * Reads one part of a TLS setting (a file, or the data itself) and checks that it holds what it
 * should, so a missing or garbled file is reported as that setting at start, not as a raw ENOENT or
 * a failed handshake blamed on the address. A problem never quotes the content: a key is a secret.
 */
export function checkTlsMaterial(part: TlsPart, source: ConfigDataSource, setting: string): TlsCheck {
  const read = readSource(source, setting);
  if ('problem' in read) return read;
  const where = 'path' in source ? `names a file (${source.path}) that holds` : 'holds';
  try {
    if (part === 'clientKey') return { text: read.text, key: createPrivateKey({ key: read.text, format: 'pem' }) };
    return { text: read.text, certificate: new X509Certificate(read.text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE') {
      return { problem: `${setting} ${where} an encrypted private key: the Temporal SDK needs it unencrypted` };
    }
    return { problem: `${setting} ${where} no ${EXPECTED[part]}` };
  }
}

/** A client certificate and key that do not belong together fail every handshake: say so at start. */
export function certificateMatchesKey(certificate: X509Certificate, key: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(key);
  } catch {
    return false;
  }
}
