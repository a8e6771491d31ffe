// Replaced by the database/Redis bootstrap once the foundation lands.
export default async function setup(): Promise<void> {}
