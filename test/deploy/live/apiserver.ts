import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../../../src/observability/core-metrics';
import { waitFor } from '../../helpers/wait';
import { run, type Result } from './podman';

/**
 * A kube-apiserver of its own on loopback ports, on Debian's etcd: no controller manager, scheduler or
 * kubelet, so objects are admitted and stored but nothing runs them. Admission is the default set,
 * PodSecurity included; authorization is RBAC with one system:masters token.
 */
export interface ApiServer {
  kubectl(args: string[], input?: string): Promise<Result>;
  stop(): Promise<void>;
}

interface Process {
  child: ChildProcess;
  exited: Promise<void>;
}

function startProcess(command: string, args: string[], log: string): Process {
  const out = openSync(log, 'a');
  const child = spawn(command, args, { stdio: ['ignore', out, out] });
  return { child, exited: new Promise((resolve) => child.on('exit', () => resolve())) };
}

async function stopProcess(process: Process | undefined): Promise<void> {
  if (!process) return;
  if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGTERM');
  await process.exited;
}

function writeCredentials(dir: string, port: number): { kubeconfig: string; token: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const token = randomBytes(16).toString('hex');
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},deploy-check,deploy-check,system:masters\n`);
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // Its certificate is the self-signed one it makes at start; only this test talks to it, on loopback.
      clusters: [{ name: 'local', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'deploy-check', user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'deploy-check' } }],
      'current-context': 'local',
    }),
  );
  return { kubeconfig, token };
}

function etcdArgs(dir: string, clientUrl: string, peerPort: number): string[] {
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  return [
    '--name=deploy-check',
    `--data-dir=${path.join(dir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=deploy-check=${peerUrl}`,
  ];
}

function apiserverArgs(dir: string, etcdUrl: string, port: number): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${path.join(dir, 'certs')}`,
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/24',
  ];
}

export async function startApiServer(binaries: {
  apiserver: string;
  etcd: string;
  kubectl: string;
}): Promise<ApiServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-kube-apiserver-'));
  const [etcdPort, peerPort, port] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const { kubeconfig } = writeCredentials(dir, port);
  let etcd: Process | undefined;
  let apiserver: Process | undefined;
  const kubectl = (args: string[], input?: string) =>
    run(binaries.kubectl, ['--kubeconfig', kubeconfig, ...args], { input, timeoutMs: 60_000 });
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    etcd = startProcess(binaries.etcd, etcdArgs(dir, etcdUrl, peerPort), path.join(dir, 'etcd.log'));
    apiserver = startProcess(binaries.apiserver, apiserverArgs(dir, etcdUrl, port), path.join(dir, 'apiserver.log'));
    const ready = async () => ((await kubectl(['get', '--raw', '/readyz'])).stdout === 'ok' ? true : undefined);
    await waitFor('kube-apiserver /readyz', ready, { timeoutMs: 90_000, intervalMs: 500 });
  } catch (error) {
    const log = readFileSync(path.join(dir, 'apiserver.log'), 'utf8').split('\n').slice(-15).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\nkube-apiserver's last lines:\n${log}`);
  }
  return { kubectl, stop };
}
