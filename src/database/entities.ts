import { AuditLogEntry } from '../audit/entities/audit-log-entry.entity.js';
import { ApiToken } from '../sentry-apps/authorizations/entities/api-token.entity.js';
import { UsedJwt } from '../sentry-apps/authorizations/entities/used-jwt.entity.js';
import { Grant } from '../sentry-apps/installations/entities/grant.entity.js';
import { Installation } from '../sentry-apps/installations/entities/installation.entity.js';
import { Organization } from '../organizations/entities/organization.entity.js';
import { OrganizationMember } from '../organizations/entities/organization-member.entity.js';
import { ApiApplication } from '../sentry-apps/apps/entities/api-application.entity.js';
import { SentryApp } from '../sentry-apps/apps/entities/sentry-app.entity.js';
import { ConsoleSession } from '../auth/entities/console-session.entity.js';
import { PasswordLink } from '../users/entities/password-link.entity.js';
import { PersonalToken } from '../users/entities/personal-token.entity.js';
import { User } from '../users/entities/user.entity.js';
import { WebhookDelivery } from '../sentry-apps/webhooks/entities/webhook-delivery.entity.js';

export const entities = [User, PersonalToken, Organization, OrganizationMember, ApiApplication, SentryApp, Installation, Grant, ApiToken, UsedJwt, WebhookDelivery, AuditLogEntry, PasswordLink, ConsoleSession];
