/** The JSON body OpenAI answers errors with; the SDK maps `type`, `code` and `message` onto its APIError. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface CannedError {
  message: string;
  type: string;
  code: string | null;
}

// Messages and types mimic the real API so logs and error mapping in the api look like production.
const CANNED_ERRORS: Readonly<Record<number, CannedError>> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: {
    message:
      'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: {
    message: 'You are not allowed to access this resource.',
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
  },
  404: {
    message: 'The model does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  429: {
    message: 'Rate limit reached for requests. Please try again later.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: 'server_error',
  },
  502: { message: 'Bad gateway.', type: 'server_error', code: 'bad_gateway' },
  503: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    code: 'service_unavailable',
  },
  504: { message: 'Gateway timeout.', type: 'server_error', code: 'gateway_timeout' },
};

/** Fields that replace the canned ones for a status. */
export interface OpenAiErrorOverrides {
  message?: string;
  param?: string;
  code?: string | null;
}

/** An OpenAI-shaped error body for `status`; `overrides` replace the canned message, param or code. */
export function openAiErrorBody(
  status: number,
  overrides: OpenAiErrorOverrides = {},
): OpenAiErrorBody {
  const canned: CannedError = CANNED_ERRORS[status] ?? {
    message: `Request failed with status ${status}.`,
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  return {
    error: {
      message: overrides.message ?? canned.message,
      type: canned.type,
      param: overrides.param ?? null,
      code: overrides.code === undefined ? canned.code : overrides.code,
    },
  };
}
