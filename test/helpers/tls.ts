import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TlsFiles {
  directory: string;
  cert: string;
  key: string;
  /** A second key that does not belong to `cert`. */
  otherKey: string;
  /** A file that holds text, but no PEM. */
  garbage: string;
  remove(): void;
}

function selfSigned(directory: string, name: string): { cert: string; key: string } {
  const cert = path.join(directory, `${name}.crt`);
  const key = path.join(directory, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '2',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * A throwaway self-signed certificate and keys, made with the openssl command (Debian's, which its
 * ca-certificates package brings), in a temporary folder: nothing key-like is committed.
 */
export function makeTlsFiles(): TlsFiles {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-tls-'));
  const { cert, key } = selfSigned(directory, 'client');
  const { key: otherKey } = selfSigned(directory, 'other');
  const garbage = path.join(directory, 'garbage.key');
  writeFileSync(garbage, 'this is not a key\n');
  return { directory, cert, key, otherKey, garbage, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
