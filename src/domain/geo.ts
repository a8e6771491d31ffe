/**
 * Distances and rough road journey times between places, for ranking
 * alternatives by travel from home and for sizing transport runs. There is no
 * routing service in a locked-down council network (DESIGN.md "Installing
 * offline"), so journeys are estimated from straight-line distance.
 */

export interface LatLng {
  lat: number;
  lng: number;
}

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;

/**
 * Roads are longer than the straight line: 1.3 is the usual detour index for
 * British road networks. 40 km/h is an assumed average door-to-door speed for
 * a minibus on mixed town and A-road journeys. Both are estimates, good enough
 * to compare alternatives and size pick-up windows, never shown as exact times.
 */
export const ROAD_FACTOR = 1.3;
export const AVERAGE_SPEED_KMH = 40;

function radians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}

/** Great-circle distance in km (haversine formula). */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Estimated road journey in whole minutes: straight line x road factor at the assumed average speed. */
export function travelMinutes(a: LatLng, b: LatLng): number {
  return Math.round(((haversineKm(a, b) * ROAD_FACTOR) / AVERAGE_SPEED_KMH) * 60);
}
