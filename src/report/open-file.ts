import { spawn } from 'node:child_process';

/**
 * Hands the file to the desktop's opener (xdg-open). Resolves with a note when there is none: the
 * report is written either way, so a missing opener is not a failure.
 */
export function openWithDesktop(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('xdg-open', [file], { stdio: 'ignore' });
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ENOENT'
          ? `xdg-open is not installed here: open ${file} in a browser`
          : `xdg-open failed (${error.message}): open ${file} in a browser`,
      ),
    );
    child.once('exit', (code) =>
      resolve(code === 0 ? null : `xdg-open exited with ${code}: open ${file} in a browser`),
    );
  });
}
