import { canonicalize, extractPayload, libxml2Validator, parseXml, validateEnvelope, type CompiledSchema } from '@organism/xml';
import { compileContract } from '@organism/schema';
import { collectGarbage } from '../gc';
import { GREETER_DESCRIPTION, Greeting } from '../listeners';
import { ROUND_TRIP_LOADS, WARM_UP_COUNT, formatCount } from '../loads';
import { BenchFailure, type Figure, type Scenario } from '../scenario';
import { spread } from '../stats';
import { cpuPerMessage, ratePerSecond, startStopwatch } from '../stopwatch';

/**
 * The libxml2 work one pump pass does on a greeting envelope, with no pump around it: parse,
 * exclusive c14n of the envelope, envelope XSD, meta and payload extraction, exclusive c14n of
 * the payload, payload XSD (the Greeting contract compiled once, as the organism does), dispose.
 * Returns false when a validator reported issues.
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

/** Scenario 1: the same envelopes as the round trip through the XML work alone. */
export const xmlFloor: Scenario = {
  name: 'xmlFloor',
  title: 'XML floor',
  async run(ctx) {
    const { envelopes } = ctx.greetings;
    const schema = libxml2Validator.compile(compileContract(Greeting, GREETER_DESCRIPTION).xsd);
    const batch = (count: number) => {
      let invalid = 0;
      for (let i = 0; i < count; i++) if (!xmlPass(envelopes[i]!, schema)) invalid++;
      if (invalid > 0) throw new BenchFailure(`XML floor: ${invalid} of ${count} envelopes failed validation`);
    };
    try {
      batch(WARM_UP_COUNT);
      const figures: Figure[] = [];
      for (const load of ROUND_TRIP_LOADS) {
        const rates: number[] = [];
        const cpu: number[] = [];
        for (let run = 1; run <= load.runs; run++) {
          collectGarbage();
          const watch = startStopwatch();
          batch(load.count);
          const elapsed = watch.stop();
          rates.push(ratePerSecond(load.count, elapsed));
          cpu.push(cpuPerMessage(load.count, elapsed));
          ctx.progress(`XML floor ${formatCount(load.count)} run ${run}/${load.runs}: ${formatCount(Math.round(rates.at(-1)!))} msg/s`);
        }
        figures.push({
          id: `xmlFloor.${load.key}.rate`,
          label: `${formatCount(load.count)} envelopes, no pump`,
          unit: 'msg/s',
          value: spread(rates),
          cpuUsPerMessage: spread(cpu),
        });
      }
      return {
        config: {
          work: 'parseXml → canonicalize(envelope) → validateEnvelope → extractPayload → canonicalize(payload) → Greeting XSD → dispose',
          loads: ROUND_TRIP_LOADS,
        },
        figures,
      };
    } finally {
      schema.dispose();
    }
  },
};
