import { SpanStatusCode } from '@opentelemetry/api';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import type { LimitTicket } from '../limits/limit-ticket';
import { SpanAttributes, SpanNames } from '../tracing/span-attributes';
import { recordedTracing } from '../tracing/testing/recorded-tracing';
import { Admission } from './admission';

const ticket = { release: () => Promise.resolve() } as unknown as LimitTicket;

describe('Admission, traced', () => {
  it('is a span of the request’s, which ends admitted when its stream starts', () => {
    const recorded = recordedTracing();
    const { span: trace } = recorded.traced();
    const admission = new Admission(() => undefined, trace);
    admission.ticketed(ticket);
    admission.started();
    const span = recorded.span(SpanNames.admission);
    expect(span.parentSpanContext?.spanId).toBe(trace.ids.span_id);
    expect(span.attributes).toEqual({ [SpanAttributes.outcome]: 'admitted' });
  });

  it('ends failed with the code of what refused it, and released when given back', () => {
    const recorded = recordedTracing();
    const { span: trace } = recorded.traced();
    new Admission(() => undefined, trace).release(
      new ApiException(429, ErrorCodes.rateLimited, 'Too many requests'),
    );
    new Admission(() => undefined, trace).release();
    const [refused, released] = recorded.spans();
    expect(refused.status.code).toBe(SpanStatusCode.ERROR);
    expect(refused.attributes).toEqual({
      [SpanAttributes.outcome]: 'rate_limited',
      [SpanAttributes.errorType]: 'rate_limited',
    });
    expect(released.status.code).toBe(SpanStatusCode.UNSET);
    expect(released.attributes).toEqual({ [SpanAttributes.outcome]: 'released' });
  });

  it('gives back its reader slot once, traced or not', () => {
    let slots = 0;
    const admission = new Admission(() => (slots += 1));
    admission.release();
    admission.release();
    expect(slots).toBe(1);
  });
});
