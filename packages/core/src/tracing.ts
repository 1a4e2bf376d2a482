import { INVALID_SPAN_CONTEXT, ProxyTracerProvider, trace, type Span } from '@opentelemetry/api';

// What the global provider delegates to until an SDK registers one.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * False while no OpenTelemetry SDK is registered: every span would be a non-recording one, so
 * the pump skips creating them (an object and an attributes record per pass and per call).
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** The span used when tracing is off: records nothing, shared by every pass and call. */
export const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
