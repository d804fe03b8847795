import type { Labels } from './label-selector.js';

/**
 * Calico selector expressions (`app == 'x' && has(tier) && !(env in {'a','b'})`, `all()`),
 * parsed once into a predicate. Unknown syntax is an error naming the expression.
 */
export type Predicate = (labels: Labels) => boolean;

type Token = { readonly t: 'op' | 'str' | 'id'; readonly v: string };

const TOKEN = /\s*(&&|\|\||==|!=|[!(){},]|'[^']*'|"[^"]*"|[A-Za-z0-9_./\-]+)/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) throw new Error(`unexpected character at offset ${start}`);
    const v = m[1]!;
    tokens.push(v.startsWith("'") || v.startsWith('"') ? { t: 'str', v: v.slice(1, -1) } : /^[A-Za-z0-9_./\-]+$/.test(v) ? { t: 'id', v } : { t: 'op', v });
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(): Token {
    const tok = this.tokens[this.i];
    if (tok === undefined) throw new Error('unexpected end of expression');
    this.i += 1;
    return tok;
  }

  private expect(v: string): void {
    const tok = this.next();
    if (tok.v !== v) throw new Error(`expected '${v}' but found '${tok.v}'`);
  }

  parse(): Predicate {
    if (this.tokens.length === 0) return () => true;
    const p = this.or();
    if (this.peek() !== undefined) throw new Error(`unexpected '${this.peek()!.v}'`);
    return p;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.peek()?.v === '||') {
      this.next();
      const l = left;
      const r = this.and();
      left = (labels) => l(labels) || r(labels);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.unary();
    while (this.peek()?.v === '&&') {
      this.next();
      const l = left;
      const r = this.unary();
      left = (labels) => l(labels) && r(labels);
    }
    return left;
  }

  private unary(): Predicate {
    const tok = this.peek();
    if (tok?.v === '!') {
      this.next();
      const inner = this.unary();
      return (labels) => !inner(labels);
    }
    if (tok?.v === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.term();
  }

  private set(): string[] {
    this.expect('{');
    const values: string[] = [];
    while (this.peek()?.v !== '}') {
      values.push(this.next().v);
      if (this.peek()?.v === ',') this.next();
    }
    this.expect('}');
    return values;
  }

  private term(): Predicate {
    const id = this.next();
    if (id.t !== 'id') throw new Error(`expected a label or function but found '${id.v}'`);
    if (id.v === 'all' || id.v === 'has') return this.func(id.v);
    const op = this.next();
    if (op.v === '==' || op.v === '!=') {
      const value = this.next();
      return op.v === '==' ? (l) => l[id.v] === value.v : (l) => l[id.v] !== value.v;
    }
    if (op.v === 'in') {
      const values = this.set();
      return (l) => l[id.v] !== undefined && values.includes(l[id.v]!);
    }
    if (op.v === 'not') {
      this.expect('in');
      const values = this.set();
      return (l) => l[id.v] === undefined || !values.includes(l[id.v]!);
    }
    throw new Error(`unsupported operator '${op.v}'`);
  }

  private func(name: 'all' | 'has'): Predicate {
    this.expect('(');
    if (name === 'all') {
      this.expect(')');
      return () => true;
    }
    const key = this.next().v;
    this.expect(')');
    return (l) => l[key] !== undefined;
  }
}

export function parseCalicoSelector(expression: string): Predicate {
  return new Parser(tokenize(expression)).parse();
}
