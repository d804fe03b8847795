/** Flags that ask for help: commander answers them before it looks at the command name. */
const HELP_FLAGS: ReadonlySet<string> = new Set(['-h', '--help']);

/**
 * The arguments commander should parse. A help flag after an unknown command word is dropped, so
 * `palisade doctr --help` (or `palisade help doctr`) fails as an unknown command, with commander's
 * "did you mean", instead of printing the root help and exiting 0 (a script would read success).
 */
export function argvForParse(argv: readonly string[], commands: readonly string[]): string[] {
  const [node = '', script = '', word, ...rest] = argv;
  if (word === undefined || word.startsWith('-')) return [...argv];
  const known = new Set([...commands, 'help']);
  if (word === 'help') {
    const target = rest[0];
    return target !== undefined && !target.startsWith('-') && !known.has(target) ? [node, script, target] : [...argv];
  }
  if (known.has(word)) return [...argv];
  return [node, script, word, ...rest.filter((a) => !HELP_FLAGS.has(a))];
}
