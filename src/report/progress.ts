/**
 * One progress line on stderr while the report queries: rewritten in place on a terminal, one
 * line per step otherwise (a CI log keeps them all).
 */
export function progressLine(stream: NodeJS.WriteStream) {
  const inPlace = stream.isTTY === true;
  return {
    step: (name: string, index: number, total: number) => {
      const text = `report: querying ${name} (${index}/${total})...`;
      stream.write(inPlace ? `\r\x1b[2K${text}` : `${text}\n`);
    },
    done: (text: string) => {
      stream.write(inPlace ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}
