/** An error answered before any byte of the reply: its status, its JSON body, and headers such as `Retry-After`. */
export interface ErrorResponse<Body> {
  status: number;
  body: Body;
  headers: Record<string, string>;
}
