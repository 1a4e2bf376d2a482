/** Where an organism's messages live in JetStream: one stream, one subject per listener, egress, dead letters. */
export interface NatsSubjects {
  /** The work-queue stream, `ORGANISM_<organism>`. */
  readonly stream: string;
  /** Every subject of the stream, `organism.<organism>.>`. */
  readonly all: string;
  /** Messages leaving the organism, consumed by the process that hosts egress. */
  readonly egress: string;
  /** Messages that could not be completed, with a coded reason in their headers. */
  readonly dead: string;
  /** Deliveries to one listener (its name, any case). */
  deliver(listener: string): string;
  /** The durable pull consumer of one listener. */
  durable(listener: string): string;
  /** The durable consumer of egress. */
  readonly egressDurable: string;
  /** Core NATS (not stored): `+`/`-` per carried message, from which the egress host knows idle threads. */
  readonly activity: string;
}

/**
 * The subject layout of an organism (see docs/distributed.md). Names are lower-cased and every
 * character other than `a-z`, `0-9` and `-` is written `_` plus its hex code, so a listener named
 * `calculator.add` is one subject token (`calculator_2eadd`) and no two names collide.
 *
 * @example
 * const subjects = natsSubjects('hello');
 * subjects.stream;              // 'ORGANISM_hello'
 * subjects.deliver('greeter');  // 'organism.hello.deliver.greeter'
 */
export function natsSubjects(organism: string): NatsSubjects {
  const org = token(organism);
  const root = `organism.${org}`;
  return {
    stream: `ORGANISM_${org}`,
    all: `${root}.>`,
    egress: `${root}.egress`,
    dead: `${root}.dead`,
    deliver: (listener) => `${root}.deliver.${token(listener)}`,
    durable: (listener) => `deliver-${token(listener)}`,
    egressDurable: 'egress',
    activity: `organism-activity.${org}`,
  };
}

function token(name: string): string {
  let out = '';
  for (const char of name.toLowerCase()) {
    out += /^[a-z0-9-]$/.test(char) ? char : `_${char.codePointAt(0)!.toString(16)}`;
  }
  return out;
}
