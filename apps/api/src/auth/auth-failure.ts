/**
 * Why a credential was refused. The reason goes to the log only: every caller gets the same `401`,
 * so a bad token teaches an attacker nothing about why.
 */
export class AuthFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AuthFailure';
  }
}
