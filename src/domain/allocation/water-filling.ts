/**
 * Progressive filling ("water-filling") of a round: the child with the
 * smallest share of its want so far takes the next night, until nobody can
 * take more. This is how max-min fairness is computed over a flow network
 * (Bertsekas and Gallager, Data Networks, 6.5.2): raise everyone together,
 * freeze a child only when nothing more can reach it, keep raising the rest.
 *
 * A child "can take more" when either a suitable place is free, or a chain of
 * moves frees one: the child takes a full place, a child placed there this
 * round moves to another place it asked for with the same nights, and so on
 * until a chain ends at a free place (an augmenting path, as in Ford and
 * Fulkerson's max-flow, over slots instead of flow arcs). Moves never change
 * how many nights anyone has, so a child raised earlier is never lowered; the
 * result is max-min fair first and, because filling only stops when no chain
 * is left for anyone, close to the most nights the places allow.
 *
 * Equal shares are broken by the rotation order (Karma credits, then the
 * seeded lottery): a child served worse in earlier rounds moves first at every
 * level, so it gets the better-ranked places and any night that does not go
 * round evenly.
 *
 * Every placement and every move is accepted by checkPlacement (through
 * RoundState.blocking*) before it is made; the search itself only uses cheap
 * tests (the place is one the child asked for, same nights, no overlap), and
 * a chain that checkPlacement refuses has the refused step banned and is
 * searched again.
 */
import { ALIVE, DEAD_FULL, effectiveRank, type ChildEntry, type RoundState, type SlotEntry } from './round-state.js';

/** Longest chain of moves tried (a child taking a place, then up to this many children moving on). */
const MAX_MOVES = 4;
/** Arcs one search may look at (see ChainSearch.giveUpSearch for what running out means). */
const SEARCH_BUDGET = 40_000;
/**
 * A child gaining a place another gives up is looked for only among the
 * takers of the child's own full candidates (no moves in between: measured on
 * the 2,000-children county, one give-back in 3,800 needed a move, while the
 * move searches were two thirds of the time), and within this many takers:
 * it is tried for every child still short on every pass, without the dead
 * marks that keep free-place searches cheap.
 */
const GIVING_BUDGET = 1_000;
/** A chain refused by checkPlacement is searched again without the refused step, this many times. */
const RETRIES = 4;
/** Passes over the children still short (see waterFill). */
const REFILL_PASSES = 4;
/** Whole-stay requests try chains for this many of their best stays before giving up a turn. */
const STAYS_WITH_CHAINS = 6;

export function waterFill(state: RoundState, order: readonly ChildEntry[]): void {
  const chains = new ChainSearch(state);
  let waiting = order.filter((child) => canWantMore(state, child));
  // A child that could not gain when its turn came may gain later, once children it competes with have
  // risen far enough above it to give a place up; the passes after the first try exactly those again.
  for (let pass = 0; pass < REFILL_PASSES && waiting.length > 0; pass++) {
    const queue = new ShareQueue();
    for (const child of waiting) queue.push(child);
    const stuck: ChildEntry[] = [];
    let gainedAny = false;
    // The first pass raises everyone in share order, so nobody is yet far enough ahead to give a place up;
    // taking places back is for the passes after it.
    chains.giving = pass > 0;
    for (let child = queue.pop(); child; child = queue.pop()) {
      if (!canWantMore(state, child)) continue;
      const gained = child.stayNights > 1 ? takeStay(state, chains, child) : takeNight(state, chains, child);
      if (gained) {
        gainedAny = true;
        queue.push(child);
      } else {
        stuck.push(child);
      }
      for (let victim = chains.victims.pop(); victim; victim = chains.victims.pop()) queue.push(victim);
    }
    if (!gainedAny && pass > 0) break;
    waiting = [...new Set(stuck)].filter((child) => canWantMore(state, child));
  }
}

/**
 * After moves have left places free: everyone still short takes what is free
 * (no chains), lowest share first, preferring the home of a neighbouring night.
 */
export function fillFreedPlaces(state: RoundState, order: readonly ChildEntry[]): void {
  const queue = new ShareQueue();
  for (const child of order) {
    if (!canWantMore(state, child)) continue;
    child.candSlot.forEach((slot, candidate) => {
      if (child.candState[candidate] === DEAD_FULL && state.free(slot) > 0) child.candState[candidate] = ALIVE;
    });
    child.head = 0;
    queue.push(child);
  }
  for (let child = queue.pop(); child; child = queue.pop()) {
    const gained = child.stayNights > 1 ? takeFreeStay(state, child) : takeFreeNight(state, child);
    if (gained && canWantMore(state, child)) queue.push(child);
  }
}

function canWantMore(state: RoundState, child: ChildEntry): boolean {
  return state.remainingWant(child) >= child.stayNights;
}

function takeNight(state: RoundState, chains: ChainSearch, child: ChildEntry): boolean {
  return takeFreeNight(state, child) || chains.augment(child);
}

/** The child's best-ranked free place; on equal rank, one that continues a stay it already has in that home. */
function takeFreeNight(state: RoundState, child: ChildEntry): boolean {
  const pick = state.nextPick(child, Number.POSITIVE_INFINITY, false);
  if (pick.kind !== 'PICK') return false;
  const neighbour = neighbouringCandidate(state, child, effectiveRank(child.candRank[pick.candidate] as number));
  state.take(child, neighbour ?? pick.candidate);
  return true;
}

/**
 * A free candidate, ranked no worse than `rank`, in the same home as one of the
 * child's stays on the night just before or just after it: taking it makes one
 * longer stay instead of a night somewhere else.
 */
function neighbouringCandidate(state: RoundState, child: ChildEntry, rank: number): number | undefined {
  for (const placement of child.placements) {
    const at = state.slot(placement.slot);
    if (at.overnight) {
      for (const slot of neighbouringNightsOf(state, placement.slot)) {
        const candidate = state.candidateIndex(child, slot);
        if (candidate === undefined || child.candState[candidate] !== ALIVE) continue;
        if (effectiveRank(child.candRank[candidate] as number) > rank) continue;
        if (state.slot(slot).units > state.remainingWant(child) || state.free(slot) <= 0) continue;
        if (state.stillFeasible(child, candidate)) return candidate;
      }
    }
  }
  return undefined;
}

/** neighbouringNights of a slot's own home and dates, worked out once per slot (the filling asks at every turn). */
const neighboursBySlot = new WeakMap<RoundState, (readonly number[] | undefined)[]>();

export function neighbouringNightsOf(state: RoundState, slot: number): readonly number[] {
  let cache = neighboursBySlot.get(state);
  if (!cache) {
    cache = new Array<readonly number[] | undefined>(state.slots.length);
    neighboursBySlot.set(state, cache);
  }
  let neighbours = cache[slot];
  if (!neighbours) {
    const entry = state.slot(slot);
    neighbours = neighbouringNights(state, entry.home, entry.dayNumber, entry.endDayNumber);
    cache[slot] = neighbours;
  }
  return neighbours;
}

/** Overnight slots of one home that end the day a stay starts or start the day it ends. */
export function neighbouringNights(state: RoundState, home: number, startDay: number, endDay: number): number[] {
  const after = state.slotsAtHome(home, endDay).filter((slot) => state.slot(slot).overnight);
  const before: number[] = [];
  // Slots of up to a week end on startDay when they start this many days before it.
  for (let nights = 1; nights <= 7; nights++) {
    for (const slot of state.slotsAtHome(home, startDay - nights)) {
      const entry = state.slot(slot);
      if (entry.overnight && entry.endDayNumber === startDay) before.push(slot);
    }
  }
  return [...after, ...before];
}

/** A whole stay (stayNights consecutive nights, one home), free places first, then with chains of moves. */
function takeStay(state: RoundState, chains: ChainSearch, child: ChildEntry): boolean {
  if (takeFreeStay(state, child)) return true;
  let tried = 0;
  for (const bundle of child.bundles) {
    if (tried >= STAYS_WITH_CHAINS) break;
    const slots = bundle.map((candidate) => child.candSlot[candidate] as number);
    if (slots.some((slot) => chains.isDead(slot) && state.free(slot) <= 0)) continue;
    tried += 1;
    const undo = new UndoLog(state);
    const placedAll = bundle.every((candidate) => {
      const slot = child.candSlot[candidate] as number;
      if (state.free(slot) > 0) {
        if (state.blocking(child, slot) !== null) return false;
        undo.place(child, candidate);
        return true;
      }
      return chains.augmentInto(child, candidate, undo);
    });
    if (placedAll) return true;
    undo.rollback();
  }
  return false;
}

/** The child's best whole stay whose every night has a free place. */
export function takeFreeStay(state: RoundState, child: ChildEntry): boolean {
  for (const bundle of child.bundles) {
    if (bundle.some((candidate) => child.candState[candidate] === DEAD_FULL || state.free(child.candSlot[candidate] as number) <= 0)) continue;
    const undo = new UndoLog(state);
    const placedAll = bundle.every((candidate) => {
      if (state.blocking(child, child.candSlot[candidate] as number) !== null) return false;
      undo.place(child, candidate);
      return true;
    });
    if (placedAll) return true;
    undo.rollback();
  }
  return false;
}

/** A step of a chain: `child` leaves `from` for its candidate slot `to`. */
interface Move {
  child: ChildEntry;
  from: number;
  to: number;
}

/**
 * Where a chain ends: at a free place (the last move's target), or — when no
 * free place can be reached — at a child who gives a place up because it
 * stays better served than the child gaining is now (max-min: raising the
 * lowest at the expense of someone who stays above it is an improvement).
 */
type ChainEnd = { root: number; move: Move } | { root: number; victim: ChildEntry; at: number };

/**
 * Breadth-first search for the shortest chain of moves that frees a place for
 * a child. Nodes are full slots the chain needs a place in; an arc leaves one
 * for a child placed there this round moving to another of its candidates
 * with the same nights.
 *
 * Slots from which a complete search found no chain to a free place are
 * remembered as dead: in a flow network, a node that cannot reach the sink
 * never can again once only augmenting paths are applied (they touch only
 * nodes that can), so later searches for free places skip them. Here it is a
 * close approximation (moves also change what overlaps what), traded for
 * searches that do not repeat the same fruitless ground for every child.
 */
class ChainSearch {
  private readonly seen: Int32Array;
  private readonly parent: Int32Array;
  /** The child that would move from parent[slot] into slot. */
  private readonly mover: Int32Array;
  private readonly dead: Uint8Array;
  private epoch = 0;
  /** Child and kind of place → the search that last scanned its candidates (movesOf). */
  private readonly expanded = new Map<number, number>();
  /** Per child, its candidates whose slots are not dead, in rank order (see roots): the first liveCount of them. */
  private readonly liveCandidates: (Int32Array | undefined)[] = [];
  private readonly liveCount: Int32Array;
  /** Arcs and places the current search may still look at. */
  private budget = 0;
  private readonly banned = new Set<number>();
  /** Whether chains may end at a child giving a place up (see ChainEnd). */
  giving = false;
  /** Children who gave a place up: the filling offers them a turn again. */
  readonly victims: ChildEntry[] = [];

  /** Each child's unitsWanted and stayNights by index (fixed once the round is set up), for giveBack. */
  private readonly wanted: Int32Array;
  private readonly stayNights: Int32Array;

  constructor(private readonly state: RoundState) {
    this.wanted = Int32Array.from(state.children, (child) => child.unitsWanted);
    this.stayNights = Int32Array.from(state.children, (child) => child.stayNights);
    this.liveCount = new Int32Array(state.children.length);
    const n = state.slots.length;
    this.seen = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.mover = new Int32Array(n);
    this.dead = new Uint8Array(n);
  }

  isDead(slot: number): boolean {
    return this.dead[slot] === 1;
  }

  /** One more night for the child through a chain of moves; false when there is none. */
  augment(child: ChildEntry): boolean {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const found = this.search(child, this.roots(child));
      if (!found) break;
      if (this.apply(child, found)) return true;
    }
    if (!this.giving) return false;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const found = this.giveBack(child);
      if (!found) break;
      if (this.apply(child, found)) return true;
    }
    return false;
  }

  /**
   * The full places a chain for the child could start from, best rank first:
   * ones it could take if a place were freed there. Cheapest tests first — a
   * child asking flexibly has thousands of candidates and this runs at every
   * turn it is short. Places its entitlement or the 75-day limit is already
   * known to refuse are left out: a chain to them would be found, refused at
   * its root by checkPlacement, and searched for again.
   */
  private roots(child: ChildEntry): number[] {
    const { state } = this;
    const remaining = state.remainingWant(child);
    const roots: number[] = [];
    // Dead slots stay dead, so each child's list of candidates in live slots only shrinks: pruned as it is read.
    let live = this.liveCandidates[child.index];
    if (!live) {
      live = new Int32Array(child.candSlot.length);
      for (let candidate = 0; candidate < live.length; candidate++) live[candidate] = candidate;
      this.liveCandidates[child.index] = live;
      this.liveCount[child.index] = live.length;
    }
    const { candSlot, candState } = child;
    const { dead } = this;
    const count = this.liveCount[child.index] as number;
    let kept = 0;
    for (let at = 0; at < count; at++) {
      const candidate = live[at] as number;
      const slot = candSlot[candidate] as number;
      if (dead[slot] === 1) continue;
      live[kept++] = candidate;
      if (candState[candidate] === DEAD_FULL && this.fits(child, candidate, slot, remaining)) roots.push(slot);
    }
    this.liveCount[child.index] = kept;
    return roots;
  }

  /** Whether the child could take this full candidate if a place there were freed (the cheap tests of a chain's root). */
  private fits(child: ChildEntry, candidate: number, slot: number, remaining: number): boolean {
    const { state } = this;
    return (
      (state.slotUnits[slot] as number) <= remaining &&
      !(this.banned.size > 0 && this.banned.has(this.key(child.index, -1, slot))) &&
      !state.knownRefused(child, candidate) &&
      !state.overlapsStays(child, slot, -1)
    );
  }

  /**
   * Among the takers of the child's full candidates, the best served who would
   * still be better off than the child after giving its place up. The
   * arithmetic goes first and the root's own tests only for a place that has
   * such a taker: most places have none.
   */
  private giveBack(child: ChildEntry): ChainEnd | undefined {
    const { state } = this;
    const remaining = state.remainingWant(child);
    // The best so far and the best in the current slot, as child index (-1: none) and its units got and wanted.
    let best = -1;
    let bestAt = -1;
    let bestGot = 0;
    let bestWanted = 0;
    let takers = 0;
    const got = state.unitsGotByChild;
    const { wanted, stayNights } = this;
    const { candSlot, candState } = child;
    const { slotUnits, slots } = state;
    const childGot = child.unitsGot;
    const childWanted = child.unitsWanted;
    for (let candidate = 0; candidate < candSlot.length && takers < GIVING_BUDGET; candidate++) {
      if (candState[candidate] !== DEAD_FULL) continue;
      const slot = candSlot[candidate] as number;
      const units = slotUnits[slot] as number;
      if (units > remaining) continue;
      let here = -1;
      let hereGot = 0;
      let hereWanted = 0;
      const list = (slots[slot] as SlotEntry).takers;
      for (let at = 0; at < list.length; at++) {
        const taker = list[at] as number;
        takers += 1;
        const otherGot = got[taker] as number;
        const otherWanted = wanted[taker] as number;
        // Both end above the child's share now — (other.got - units) / other.want > child.got / child.want,
        // cross-multiplied — so the lower of the two rises: better in max-min's (leximin) order, and since each
        // such exchange is, they cannot go round in circles.
        const after = (otherGot - units) * childWanted - childGot * otherWanted;
        if (after <= 0 || taker === child.index || (stayNights[taker] as number) > 1) continue;
        // The one to beat: the best in this slot, else the best so far.
        const rivalGot = here >= 0 ? hereGot : bestGot;
        const rivalWanted = here >= 0 ? hereWanted : bestWanted;
        if ((here >= 0 || best >= 0) && otherGot * rivalWanted <= rivalGot * otherWanted) continue;
        if (this.banned.has(this.key(taker, slot, -1))) continue;
        here = taker;
        hereGot = otherGot;
        hereWanted = otherWanted;
      }
      if (here >= 0 && this.fits(child, candidate, slot, remaining)) {
        best = here;
        bestAt = slot;
        bestGot = hereGot;
        bestWanted = hereWanted;
      }
    }
    if (best < 0) return undefined;
    this.parent[bestAt] = -1;
    return { root: bestAt, victim: state.childAt(best), at: bestAt };
  }

  /** A place in this one candidate slot through a chain of moves, logged so the caller can undo it. */
  augmentInto(child: ChildEntry, candidate: number, undo: UndoLog): boolean {
    const slot = child.candSlot[candidate] as number;
    if (this.dead[slot] === 1 || this.state.overlapsStays(child, slot, -1)) return false;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const found = this.search(child, [slot]);
      if (!found) return false;
      if (this.apply(child, found, undo)) return true;
    }
    return false;
  }

  private key(child: number, from: number, to: number): number {
    const n = this.state.slots.length + 1;
    return (child * n + (from + 1)) * n + to;
  }

  /** The shortest chain of moves from the roots to a free place (give-backs are giveBack's). */
  private search(child: ChildEntry, roots: number[]): ChainEnd | undefined {
    const { state } = this;
    this.epoch += 1;
    const epoch = this.epoch;
    let queue: number[] = [];
    for (const slot of roots) {
      if (this.seen[slot] === epoch) continue;
      this.seen[slot] = epoch;
      this.parent[slot] = -1;
      this.mover[slot] = child.index;
      queue.push(slot);
    }
    const visited: number[] = [...queue];
    this.budget = SEARCH_BUDGET;
    const { seen, dead } = this;
    const { slotUnits, slotOvernight } = state;
    for (let depth = 0; depth < MAX_MOVES && queue.length > 0; depth++) {
      const next: number[] = [];
      for (const slot of queue) {
        const entry = state.slot(slot);
        const overnight = entry.overnight ? 1 : 0;
        for (const taker of entry.takers) {
          if (this.inChain(slot, taker)) continue;
          const other = state.childAt(taker);
          const moves = this.movesOf(other, entry, epoch);
          for (let m = 0; m < moves.length; m++) {
            const to = moves[m] as number;
            if (--this.budget <= 0) return this.giveUpSearch(visited);
            if (to === slot || seen[to] === epoch || dead[to] === 1) continue;
            // Same nights and the same kind (a night for a night, a day session for a day session): the mover's
            // count against each part of its award stays as it was.
            if (slotUnits[to] !== entry.units || slotOvernight[to] !== overnight) continue;
            if (this.banned.has(this.key(taker, slot, to))) continue;
            if (state.overlapsStays(other, to, slot)) continue;
            if (state.free(to) > 0) {
              return { root: this.rootOf(slot), move: { child: other, from: slot, to } };
            }
            this.seen[to] = epoch;
            this.parent[to] = slot;
            this.mover[to] = taker;
            visited.push(to);
            next.push(to);
          }
        }
      }
      queue = next;
    }
    // Searched everything within reach of these roots (not cut short): none of it leads to a free place.
    if (queue.length === 0) for (const slot of visited) this.dead[slot] = 1;
    return undefined;
  }

  /**
   * A search that ran out of budget found no free place within a large part
   * of the round: its slots are taken as dead too. Without this, every later
   * child asking for the same crowded nights repeats the same fruitless search;
   * with it, a chain longer than the budget is occasionally missed.
   */
  private giveUpSearch(visited: readonly number[]): undefined {
    for (const slot of visited) this.dead[slot] = 1;
    return undefined;
  }

  /**
   * Where a child placed in `from` might move, as a flow network sees a child
   * node: visited once per search (per kind of place), so a child holding ten
   * full slots has its candidates scanned once, not ten times. Later visits
   * add only the places on the dates of the slot it would leave — the ones
   * its other stays did not already allow (moves within the same night).
   */
  private movesOf(child: ChildEntry, from: SlotEntry, epoch: number): ArrayLike<number> {
    const kind = child.index * 64 + Math.min(31, from.units) * 2 + (from.overnight ? 1 : 0);
    if (this.expanded.get(kind) !== epoch) {
      this.expanded.set(kind, epoch);
      return child.candSlot;
    }
    const sameDays: number[] = [];
    for (let day = from.dayNumber - 1; day <= from.endDayNumber; day++) {
      for (const slot of this.state.slotsOnDay(day)) if (this.state.candidateIndex(child, slot) !== undefined) sameDays.push(slot);
    }
    return sameDays;
  }

  private rootOf(slot: number): number {
    let at = slot;
    while (this.parent[at] !== -1) at = this.parent[at] as number;
    return at;
  }

  /** Whether the child already moves somewhere along the chain that reaches `slot` (a child moves once per chain). */
  private inChain(slot: number, child: number): boolean {
    for (let at = slot; at !== -1; at = this.parent[at] as number) if (this.mover[at] === child) return true;
    return false;
  }

  /**
   * Checks every step with checkPlacement, then makes the moves from the far
   * end back to the root, where the child takes the place. A refused step is
   * banned and nothing is changed.
   */
  private apply(child: ChildEntry, found: ChainEnd, undo?: UndoLog): boolean {
    const { state } = this;
    const moves: Move[] = 'move' in found ? [found.move] : [];
    const tail = 'move' in found ? found.move.from : found.at;
    for (let at = tail; this.parent[at] !== -1; at = this.parent[at] as number) {
      moves.push({ child: state.childAt(this.mover[at] as number), from: this.parent[at] as number, to: at });
    }
    for (const move of moves) {
      if (state.blockingIfMovedFrom(move.child, move.from, true)(move.to) !== null) {
        this.banned.add(this.key(move.child.index, move.from, move.to));
        return false;
      }
    }
    if (state.blocking(child, found.root, true) !== null) {
      this.banned.add(this.key(child.index, -1, found.root));
      return false;
    }
    const log = undo ?? new UndoLog(state);
    if ('victim' in found) {
      log.giveUp(found.victim, found.at);
      this.victims.push(found.victim);
    }
    for (const move of moves) log.move(move.child, move.from, move.to);
    log.place(child, state.candidateIndex(child, found.root) as number);
    return true;
  }
}

/** Placements and moves made tentatively (a whole stay is all or nothing), undone in reverse. */
class UndoLog {
  private readonly steps: (() => void)[] = [];

  constructor(private readonly state: RoundState) {}

  place(child: ChildEntry, candidate: number): void {
    const slot = child.candSlot[candidate] as number;
    this.state.take(child, candidate);
    this.steps.push(() => {
      this.state.unplace(child, slot);
      this.state.reviveDead(child);
    });
  }

  move(child: ChildEntry, from: number, to: number): void {
    const fromRank = child.placements.find((placement) => placement.slot === from)?.rank as number;
    const candidate = this.state.candidateIndex(child, to) as number;
    this.state.unplace(child, from);
    this.state.place(child, to, child.candRank[candidate] as number);
    this.state.reviveDead(child);
    this.steps.push(() => {
      this.state.unplace(child, to);
      this.state.place(child, from, fromRank);
      this.state.reviveDead(child);
    });
  }

  giveUp(child: ChildEntry, slot: number): void {
    const rank = child.placements.find((placement) => placement.slot === slot)?.rank as number;
    this.state.unplace(child, slot);
    this.state.reviveDead(child);
    this.steps.push(() => {
      this.state.place(child, slot, rank);
      this.state.reviveDead(child);
    });
  }

  rollback(): void {
    for (let step = this.steps.pop(); step; step = this.steps.pop()) step();
  }
}

/**
 * Children by the share of their want they would have after one more turn,
 * lowest first; equal in rotation order. Ordering by the share after the turn
 * (as divisor methods of apportionment do) keeps a child with a small want
 * from jumping to all of it while children with large wants are still low.
 */
class ShareQueue {
  private readonly heap: ChildEntry[] = [];

  push(child: ChildEntry): void {
    this.heap.push(child);
    let at = this.heap.length - 1;
    while (at > 0) {
      const up = (at - 1) >> 1;
      if (!before(this.heap[at] as ChildEntry, this.heap[up] as ChildEntry)) break;
      [this.heap[at], this.heap[up]] = [this.heap[up] as ChildEntry, this.heap[at] as ChildEntry];
      at = up;
    }
  }

  pop(): ChildEntry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length > 0 && last) {
      this.heap[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let best = at;
        if (left < this.heap.length && before(this.heap[left] as ChildEntry, this.heap[best] as ChildEntry)) best = left;
        if (right < this.heap.length && before(this.heap[right] as ChildEntry, this.heap[best] as ChildEntry)) best = right;
        if (best === at) break;
        [this.heap[at], this.heap[best]] = [this.heap[best] as ChildEntry, this.heap[at] as ChildEntry];
        at = best;
      }
    }
    return top;
  }
}

function before(a: ChildEntry, b: ChildEntry): boolean {
  // Cross-multiplied weighted shares; with no credits (every weight 1) exact for the integer units involved.
  const difference =
    (a.unitsGot + a.stayNights) * b.unitsWanted * rotationWeight(b) - (b.unitsGot + b.stayNights) * a.unitsWanted * rotationWeight(a);
  return difference < 0 || (difference === 0 && a.position < b.position);
}

/**
 * Karma credit as weight: a child served worse in earlier rounds (credit > 0)
 * counts its share as lower than it is, so it rises first and further when
 * places run out; one served better waits a little. A credit is a sum of
 * per-round shortfalls (history.ts), so 1 is a whole round missed and triples
 * the weight. Bounded (1/4 to 4), so nobody's need is ever priced at nothing.
 */
function rotationWeight(child: ChildEntry): number {
  return Math.min(4, Math.max(0.25, 1 + 2 * child.credit));
}
