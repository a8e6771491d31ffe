/**
 * The Open Referral (HSDS 3.1) documents the feed publishes, declared field by
 * field after the standard's own schemas (../shared/standards/hsds-3.1/*.json:
 * service, organization, phone, schedule, service_at_location, location, address,
 * cost_option, service_capacity, unit, attribute, taxonomy_term, and openapi.json's
 * Page), so the OpenAPI document says what a directory receives. Only the fields
 * this feed fills are listed; each keeps the standard's name, type and format.
 */
import { z } from '@hono/zod-openapi';

const Id = z.string().uuid();
const LocalDate = z.string().openapi({ format: 'date' });

const Organization = z
  .object({ id: Id, name: z.string(), description: z.string(), email: z.string().email().optional() })
  .openapi('HsdsOrganization');

const Phone = z.object({ id: Id, service_id: Id, number: z.string() }).openapi('HsdsPhone');

const Schedule = z
  .object({
    id: Id,
    service_id: Id,
    valid_from: LocalDate,
    valid_to: LocalDate.optional(),
    dtstart: LocalDate,
    until: LocalDate.optional(),
    freq: z.enum(['WEEKLY', 'MONTHLY']).optional().openapi({ description: 'Left out when the rule cannot be held by HSDS (yearly, BYMONTH, a daily interval): `description` says it instead' }),
    interval: z.number().int().optional(),
    byday: z.string().optional(),
    bymonthday: z.string().optional(),
    opens_at: z.string().openapi({ description: 'HH:MM, London time' }),
    closes_at: z.string().openapi({ description: 'HH:MM, London time; on a later day for an overnight break' }),
    description: z.string(),
    attending_type: z.string(),
    notes: z.string().optional(),
  })
  .openapi('HsdsSchedule');

const Address = z
  .object({
    id: Id,
    location_id: Id,
    address_1: z.string(),
    city: z.string(),
    state_province: z.string(),
    postal_code: z.string(),
    country: z.string().openapi({ description: 'ISO 3166-1 alpha-2' }),
    address_type: z.string(),
  })
  .openapi('HsdsAddress');

const Location = z
  .object({ id: Id, location_type: z.string(), organization_id: Id, name: z.string(), latitude: z.number(), longitude: z.number(), addresses: z.array(Address) })
  .openapi('HsdsLocation');

const ServiceAtLocation = z.object({ id: Id, service_id: Id, location_id: Id, location: Location }).openapi('HsdsServiceAtLocation');

const CostOption = z
  .object({
    id: Id,
    service_id: Id,
    valid_from: LocalDate,
    valid_to: LocalDate.optional(),
    option: z.string(),
    currency: z.string(),
    amount: z.number(),
    amount_description: z.string(),
  })
  .openapi('HsdsCostOption');

const Unit = z.object({ id: Id, name: z.string(), scheme: z.string(), identifier: z.string() }).openapi('HsdsUnit');

const ServiceCapacity = z
  .object({ id: Id, service_id: Id, unit: Unit, available: z.number(), maximum: z.number(), description: z.string(), updated: z.string().datetime() })
  .openapi('HsdsServiceCapacity');

const TaxonomyTerm = z.object({ id: Id, code: z.string(), name: z.string(), description: z.string(), taxonomy: z.string() }).openapi('HsdsTaxonomyTerm');

const Attribute = z
  .object({ id: Id, link_id: Id, link_type: z.string(), link_entity: z.string(), value: z.string(), label: z.string(), taxonomy_term: TaxonomyTerm })
  .openapi('HsdsAttribute');

/** A list page's entry: the service's one-to-one fields (HSDS compiled/service_list.json). */
export const HsdsServiceSummary = z
  .object({
    id: Id,
    organization_id: Id,
    name: z.string(),
    description: z.string(),
    email: z.string().email().optional(),
    status: z.enum(['active', 'inactive', 'defunct', 'temporarily closed']),
    application_process: z.string(),
    fees_description: z.string(),
    eligibility_description: z.string(),
    minimum_age: z.number(),
    maximum_age: z.number(),
    alert: z.string().optional().openapi({ description: 'Set while the home is closing: from when it takes no breaks' }),
    last_modified: z.string().datetime(),
    organization: Organization,
  })
  .openapi('HsdsServiceSummary');

/** A fully nested service (HSDS compiled/service_with_definitions.json). */
export const HsdsService = HsdsServiceSummary.extend({
  phones: z.array(Phone),
  schedules: z.array(Schedule),
  service_at_locations: z.array(ServiceAtLocation),
  cost_options: z.array(CostOption),
  capacities: z.array(ServiceCapacity),
  attributes: z.array(Attribute).openapi({ description: 'The care needs the service can meet, as eligibility attributes' }),
}).openapi('HsdsService');

/** A page of services as HSDS's openapi.json `Page` describes it; `full=true` nests every service. */
export const HsdsServicePage = z
  .object({
    total_items: z.number().int(),
    total_pages: z.number().int(),
    page_number: z.number().int(),
    size: z.number().int(),
    first_page: z.boolean(),
    last_page: z.boolean(),
    empty: z.boolean(),
    contents: z.array(z.union([HsdsService, HsdsServiceSummary])),
  })
  .openapi('HsdsServicePage');
