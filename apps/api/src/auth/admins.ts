import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { CONFIG } from '../config/config-slices';
import type { Principal } from '../shared/principal';

/** Who is an admin: a caller in one of `ADMIN_GROUPS`. */
@Injectable()
export class Admins {
  private readonly groups: ReadonlySet<string>;

  constructor(@Inject(CONFIG.auth) auth: AppConfig['auth']) {
    this.groups = new Set(auth.adminGroups);
  }

  includes(principal: Principal): boolean {
    return (
      principal.kind !== 'anonymous' && principal.groups.some((group) => this.groups.has(group))
    );
  }
}
