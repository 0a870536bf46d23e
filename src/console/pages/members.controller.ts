import { Body, Get, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Authorized } from '../../auth/authorization.service.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';
import { CurrentTarget, SessionPermission } from '../../auth/permission.guard.js';
import { AddMemberDto } from '../../organizations/dto/organization.dto.js';
import { ROLES, type Role } from '../../organizations/entities/organization-member.entity.js';
import { OrganizationsService } from '../../organizations/organizations.service.js';
import { ConsoleAccess } from '../console-access.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { fieldErrorsOf, formField, validateForm, type FieldErrors, type FormBody } from '../forms.js';

const isRole = (value: string | undefined): value is Role => ROLES.includes(value as Role);

@ConsoleController('settings/:organizationSlug/members')
export class MembersPage {
  constructor(
    private readonly pages: ConsolePages,
    private readonly access: ConsoleAccess,
    private readonly organizations: OrganizationsService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  @Get()
  @SessionPermission('organization.read')
  async list(@CurrentTarget() target: Authorized, @Res() reply: FastifyReply) {
    await this.show(reply, target, { email: '', role: 'member' }, {});
  }

  /**
   * `member.add` with the role the form grants, as the API asks it: nobody grants a role above
   * their own. A role that is not one is left to the form's validation (400 beside the field).
   */
  @Post()
  @SessionPermission('member.add', (request) => {
    const role = formField(request, 'role');
    return { organizationSlug: request.params.organizationSlug, grantedRole: isRole(role) ? role : undefined };
  })
  async add(@CurrentTarget() target: Authorized, @Body() body: FormBody, @Res() reply: FastifyReply) {
    const session = this.pages.session(reply);
    const { organization } = target;
    const form = { email: body.email ?? '', role: body.role ?? '' };
    const { value, errors } = await validateForm(AddMemberDto, form);
    if (!Object.keys(errors).length) {
      try {
        const member = await this.organizations.addMember(session.principal, organization, value.email, value.role);
        await this.sessions.setFlash(session.id, { notice: `${member.email} is now a ${member.role} of ${organization.name}.` });
        return this.pages.redirect(reply, `/settings/${organization.slug}/members/`);
      } catch (error) {
        Object.assign(errors, fieldErrorsOf(error, 'email'));
      }
    }
    await this.show(reply, target, form, errors, 400);
  }

  /** The add-member form offers only the roles the person may grant. */
  private async show(reply: FastifyReply, target: Authorized, form: Record<string, string>, errors: FieldErrors, status = 200) {
    const principal = this.pages.session(reply).principal;
    const members = await this.organizations.listMembers(target.organization);
    await this.pages.render(reply, 'members', {
      title: 'Members',
      organization: target.organization,
      may: this.access.may(principal, target),
      members,
      roles: this.access.grantableRoles(principal, target),
      form,
      errors,
    }, { status });
  }
}
