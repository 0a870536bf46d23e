import { Body, Get, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SessionPermission } from '../../auth/permission.guard.js';
import { CreateOrganizationDto } from '../../organizations/dto/organization.dto.js';
import { OrganizationsService } from '../../organizations/organizations.service.js';
import { ConsolePages } from '../console-pages.service.js';
import { ConsoleController } from '../console-route.js';
import { fieldErrorsOf, validateForm, type FormBody } from '../forms.js';
import { ConsoleSessionsService } from '../../auth/console-sessions.service.js';

@ConsoleController('organizations')
export class OrganizationsPages {
  constructor(
    private readonly pages: ConsolePages,
    private readonly organizations: OrganizationsService,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  @Get()
  @SessionPermission('user.read-self')
  async list(@Res() reply: FastifyReply) {
    const memberships = await this.organizations.listForUser(this.pages.session(reply).user.id);
    await this.pages.render(reply, 'organizations', { title: 'Organizations', memberships });
  }

  @Get('new')
  @SessionPermission('organization.create')
  async newForm(@Res() reply: FastifyReply) {
    await this.pages.render(reply, 'organization-new', { title: 'New organization', form: { name: '', slug: '' }, errors: {} });
  }

  /** The API's rules for the name and the slug (its DTO), and the person becomes the owner. */
  @Post('new')
  @SessionPermission('organization.create')
  async create(@Body() body: FormBody, @Res() reply: FastifyReply) {
    const session = this.pages.session(reply);
    const form = { name: body.name ?? '', slug: body.slug ?? '' };
    const { value, errors } = await validateForm(CreateOrganizationDto, { name: form.name, ...(form.slug ? { slug: form.slug } : {}) });
    if (!Object.keys(errors).length) {
      try {
        const organization = await this.organizations.create(session.user.id, value);
        await this.sessions.setFlash(session.id, { notice: `${organization.name} is created; you are its owner.` });
        return this.pages.redirect(reply, `/settings/${organization.slug}/integrations/`);
      } catch (error) {
        Object.assign(errors, fieldErrorsOf(error, 'slug'));
      }
    }
    await this.pages.render(reply, 'organization-new', { title: 'New organization', form, errors }, { status: 400 });
  }
}
