/** True when no key is required, or the Authorization header carries exactly `Bearer <requiredKey>`. */
export function isAuthorized(
  authorization: string | undefined,
  requiredKey: string | undefined,
): boolean {
  return requiredKey === undefined || authorization === `Bearer ${requiredKey}`;
}
