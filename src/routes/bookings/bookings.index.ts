import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { BookingCreatedSchema, BookingDetailSchema, BookingQuery, BookingSchema, CancelBookingBody, CreateBookingBody, RecordAttendanceBody, RecordAttendanceManyBody } from '../../schemas/bookings.js';
import * as bookings from '../../services/bookings.js';

const tags = ['Bookings'];
const security = bearerSecurity;

export const createBookingRoute = createRoute({
  method: 'post', path: '/v1/bookings', tags, security,
  summary: 'Book a child into a slot (coordinator); refused with reasons when any hard rule would break',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateBookingBody) },
  responses: { 201: jsonContent(BookingCreatedSchema, 'Booked; `warnings` flags looked-after limits near'), ...errorResponses },
});

export const listBookingsRoute = createRoute({
  method: 'get', path: '/v1/bookings', tags, security,
  request: { query: BookingQuery },
  responses: { 200: jsonContent(page(BookingSchema), 'Bookings visible to the token'), ...errorResponses },
});

export const getBookingRoute = createRoute({
  method: 'get', path: '/v1/bookings/{id}', tags, security,
  request: { params: IdParam },
  responses: { 200: jsonContent(BookingDetailSchema, 'The booking with its audit history'), ...errorResponses },
});

export const cancelBookingRoute = createRoute({
  method: 'post', path: '/v1/bookings/{id}/cancel', tags, security,
  summary: 'Cancel (coordinator, the family, or the provider); the place goes to the waitlist',
  request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { 'application/json': { schema: CancelBookingBody } } } },
  responses: { 200: jsonContent(BookingSchema, 'Cancelled'), ...errorResponses },
});

export const recordAttendanceRoute = createRoute({
  method: 'post', path: '/v1/bookings/{id}/attendance', tags, security,
  summary: 'The provider records ATTENDED or NO_SHOW (with reason) once the break has started; corrections keep history',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(RecordAttendanceBody) },
  responses: { 200: jsonContent(BookingSchema, 'Recorded'), ...errorResponses },
});

export const recordAttendanceManyRoute = createRoute({
  method: 'post', path: '/v1/bookings/attendance', tags, security,
  summary: 'Record several breaks’ attendance at once (a morning’s, from one table): all of it, or on any refusal none',
  request: { headers: IdempotencyHeader, body: jsonBody(RecordAttendanceManyBody) },
  responses: { 200: jsonContent(z.object({ records: z.array(BookingSchema) }).openapi('AttendanceRecorded'), 'Recorded, in the order given'), ...errorResponses },
});

export const bookingsRouter = createRouter()
  .openapi(createBookingRoute, async (c) => c.json(await bookings.createBooking(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listBookingsRoute, async (c) => c.json(await bookings.listBookings(c.get('principal'), c.req.valid('query')), 200))
  .openapi(getBookingRoute, async (c) => c.json(await bookings.getBooking(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(recordAttendanceManyRoute, async (c) => c.json(await bookings.recordAttendanceForMany(c.get('principal'), c.req.valid('json')), 200))
  .openapi(recordAttendanceRoute, async (c) =>
    c.json(await bookings.recordAttendance(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(cancelBookingRoute, async (c) => {
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : { reason: 'Cancelled' };
    return c.json(await bookings.cancelBooking(c.get('principal'), c.req.valid('param').id, body?.reason ?? 'Cancelled'), 200);
  });
