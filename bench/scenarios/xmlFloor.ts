import { canonicalize, extractPayload, libxml2Validator, parseXml, validateEnvelope, type CompiledSchema } from '@organism/xml';
import { compileContract } from '@organism/schema';
import { collectGarbage } from '../gc.js';
import { GREETER_DESCRIPTION, Greeting } from '../listeners.js';
import { ROUND_TRIP_LOADS, ROUND_TRIP_WARM_UP, formatCount } from '../loads.js';
import { BenchFailure, type Figure, type Scenario } from '../scenario.js';
import { spread } from '../stats.js';
import { cpuPerMessage, ratePerSecond, startStopwatch, type Elapsed } from '../stopwatch.js';

/**
 * The libxml2 work of one pump pass over an injected greeting envelope, with no pump around it:
 * parse, exclusive c14n of the envelope, envelope XSD, meta and payload extraction, exclusive
 * c14n of the payload, payload XSD (the Greeting contract compiled once, as the organism does),
 * dispose. Returns false when a validator reported issues.
 */
function xmlPass(envelope: string, payloadSchema: CompiledSchema): boolean {
  const parsed = parseXml(envelope);
  try {
    canonicalize(parsed.doc);
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    canonicalize(parts.payload);
    const issues = payloadSchema.validate({ element: parts.payload, xml: '' });
    return !(issues instanceof Promise) && issues.length === 0;
  } finally {
    parsed.dispose();
  }
}

/**
 * The XML floor over the shared greeting envelopes: `measure(count)` collects garbage, re-warms
 * over `rewarm` (as each round-trip run does, see rewarm.ts), then times the first `count`.
 */
export interface XmlFloor extends Disposable {
  measure(count: number): Elapsed;
}

export function createXmlFloor(envelopes: readonly string[], rewarm: readonly string[]): XmlFloor {
  const schema = libxml2Validator.compile(compileContract(Greeting, GREETER_DESCRIPTION).xsd);
  return {
    measure(count) {
      collectGarbage();
      let invalid = 0;
      for (const envelope of rewarm) if (!xmlPass(envelope, schema)) invalid++;
      const watch = startStopwatch();
      for (let i = 0; i < count; i++) if (!xmlPass(envelopes[i]!, schema)) invalid++;
      const elapsed = watch.stop();
      if (invalid > 0) throw new BenchFailure(`XML floor: ${invalid} of ${rewarm.length + count} envelopes failed validation`);
      return elapsed;
    },
    [Symbol.dispose]() {
      schema.dispose();
    },
  };
}

export const XML_FLOOR_WORK =
  'parseXml → canonicalize(envelope) → validateEnvelope → extractPayload → canonicalize(payload) → Greeting XSD → dispose';

/** The floor's figure for one load, from its runs. */
export function xmlFloorFigure(key: string, count: number, runs: readonly Elapsed[]): Figure {
  return {
    id: `xmlFloor.${key}.rate`,
    group: 'XML floor',
    label: `${formatCount(count)} envelopes, no pump`,
    unit: 'msg/s',
    value: spread(runs.map((e) => ratePerSecond(count, e))),
    cpuUsPerMessage: spread(runs.map((e) => cpuPerMessage(count, e))),
  };
}

/**
 * Scenario 1 on its own (`--only xmlFloor`). A full bench measures the floor inside the round-trip
 * scenario instead, each floor run right before its round-trip run, so that both see the same
 * machine and their ratio does not move with other load.
 */
export const xmlFloor: Scenario = {
  name: 'xmlFloor',
  title: 'XML floor',
  async run(ctx) {
    const floor = createXmlFloor(ctx.greetings.envelopes, ctx.rewarmEnvelopes);
    try {
      floor.measure(ROUND_TRIP_WARM_UP);
      const figures: Figure[] = [];
      for (const load of ROUND_TRIP_LOADS) {
        const runs: Elapsed[] = [];
        for (let run = 1; run <= load.runs; run++) {
          runs.push(floor.measure(load.count));
          ctx.progress(`XML floor ${formatCount(load.count)} run ${run}/${load.runs}: ${formatCount(Math.round(ratePerSecond(load.count, runs.at(-1)!)))} msg/s`);
        }
        figures.push(xmlFloorFigure(load.key, load.count, runs));
      }
      return { config: { work: XML_FLOOR_WORK, loads: ROUND_TRIP_LOADS }, figures };
    } finally {
      floor[Symbol.dispose]();
    }
  },
};
