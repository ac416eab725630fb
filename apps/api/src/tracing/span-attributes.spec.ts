import * as semconv from '@opentelemetry/semantic-conventions';
import { SpanAttributes } from './span-attributes';

describe('SpanAttributes', () => {
  it('names the stable attributes as @opentelemetry/semantic-conventions does', () => {
    expect(SpanAttributes).toMatchObject({
      httpRequestMethod: semconv.ATTR_HTTP_REQUEST_METHOD,
      httpResponseStatusCode: semconv.ATTR_HTTP_RESPONSE_STATUS_CODE,
      httpRoute: semconv.ATTR_HTTP_ROUTE,
      urlPath: semconv.ATTR_URL_PATH,
      clientAddress: semconv.ATTR_CLIENT_ADDRESS,
      userAgent: semconv.ATTR_USER_AGENT_ORIGINAL,
      serverAddress: semconv.ATTR_SERVER_ADDRESS,
      serverPort: semconv.ATTR_SERVER_PORT,
      errorType: semconv.ATTR_ERROR_TYPE,
    });
  });
});
