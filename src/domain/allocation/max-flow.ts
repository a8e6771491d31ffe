/**
 * Upper bound on how many break units a round could allocate at best, to show
 * how close an allocation comes to it (a fairness metric).
 *
 * Unit: break units (nights; a day session counts as one), the same unit as
 * every share in the metrics. Network:
 *
 *   source ─(units the child wants)→ child
 *   child ─(largest candidate)→ child-night group ─(slot's units)→ slot   [overnight slots]
 *   child ─(slot's units)→ slot                                        [day sessions]
 *   slot ─(free places × slot's units)→ sink
 *
 * The child-night group joins a child's overnight candidates that start on the
 * same London date: any two of them both contain the following midnight, so
 * they overlap and the child can have at most one. Everything else the
 * allocator must respect is relaxed here — overlaps across dates, the 17-day and
 * 75-day limits, the entitlement beyond the child's wanted units, and whole
 * places (flow may split a slot's nights) — so the value is an upper bound,
 * not necessarily achievable.
 *
 * Solved with Dinic's algorithm (BFS level graph + blocking flows), iterative so
 * long augmenting paths cannot overflow the stack.
 */

export class FlowNetwork {
  // Edges are collected in growable typed arrays, then laid out as compressed
  // sparse rows (each node's arcs contiguous) for the search: a county network
  // has millions of arcs, and linked lists or arrays of objects would cost
  // seconds in cache misses and garbage collection.
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private cap = new Float64Array(1024);
  /** Flow the search starts from on each edge (0 unless set: see setFlow). */
  private flow = new Float64Array(1024);
  private edges = 0;
  private nodes = 0;

  get nodeCount(): number {
    return this.nodes;
  }

  addNode(): number {
    return this.nodes++;
  }

  /** Directed edge with `capacity` (ignored unless positive); its index, or -1 when ignored. */
  addEdge(from: number, to: number, capacity: number): number {
    if (!(capacity > 0)) return -1;
    if (this.edges === this.from.length) {
      this.from = grow(this.from);
      this.to = grow(this.to);
      this.cap = grow(this.cap);
      this.flow = grow(this.flow);
    }
    this.from[this.edges] = from;
    this.to[this.edges] = to;
    this.cap[this.edges] = capacity;
    this.edges += 1;
    return this.edges - 1;
  }

  /**
   * A flow to start from on an edge. The flows set must make a feasible flow (conserved at every node but
   * source and sink): the maximum is the same from any feasible flow, found with fewer augmenting paths
   * the closer to it the search starts. False, and nothing set, when it does not fit the edge's capacity.
   */
  setFlow(edge: number, flow: number): boolean {
    if (edge < 0 || flow < 0 || flow > (this.cap[edge] as number)) return false;
    this.flow[edge] = flow;
    return true;
  }

  /** Back to the zero flow on every edge. */
  clearFlows(): void {
    this.flow.fill(0);
  }

  /** Maximum flow from source to sink (Dinic), from the flows set (setFlow) on. */
  maxFlow(source: number, sink: number): number {
    if (source === sink) return 0;
    const residual = this.residualGraph();
    const level = new Int32Array(this.nodes);
    const cursor = new Int32Array(this.nodes);
    let total = 0;
    for (let e = 0; e < this.edges; e++) if (this.from[e] === source) total += this.flow[e] as number;
    while (buildLevels(residual, source, sink, level)) {
      cursor.set(residual.first.subarray(0, this.nodes));
      total += blockingFlow(residual, source, sink, level, cursor);
    }
    return total;
  }

  /** Every edge and its zero-capacity reverse twin, grouped by tail node. */
  private residualGraph(): Residual {
    const first = new Int32Array(this.nodes + 1);
    for (let e = 0; e < this.edges; e++) {
      first[(this.from[e] as number) + 1]! += 1;
      first[(this.to[e] as number) + 1]! += 1;
    }
    for (let node = 0; node < this.nodes; node++) first[node + 1]! += first[node] as number;
    const fill = first.slice(0, this.nodes);
    const head = new Int32Array(2 * this.edges);
    const cap = new Float64Array(2 * this.edges);
    const twin = new Int32Array(2 * this.edges);
    for (let e = 0; e < this.edges; e++) {
      const u = this.from[e] as number;
      const v = this.to[e] as number;
      const forward = fill[u]!++;
      const backward = fill[v]!++;
      head[forward] = v;
      cap[forward] = (this.cap[e] as number) - (this.flow[e] as number);
      head[backward] = u;
      cap[backward] = this.flow[e] as number;
      twin[forward] = backward;
      twin[backward] = forward;
    }
    return { first, head, cap, twin };
  }
}

interface Residual {
  /** Arcs of node n are first[n] .. first[n+1]-1. */
  first: Int32Array;
  /** The node each arc points to. */
  head: Int32Array;
  cap: Float64Array;
  /** The reverse arc of each arc. */
  twin: Int32Array;
}

function buildLevels(graph: Residual, source: number, sink: number, level: Int32Array): boolean {
  level.fill(-1);
  level[source] = 0;
  const queue = new Int32Array(level.length);
  let read = 0;
  let write = 0;
  queue[write++] = source;
  while (read < write) {
    const node = queue[read++] as number;
    const next = (level[node] as number) + 1;
    for (let arc = graph.first[node] as number, end = graph.first[node + 1] as number; arc < end; arc++) {
      const target = graph.head[arc] as number;
      if ((graph.cap[arc] as number) > 0 && level[target] === -1) {
        level[target] = next;
        queue[write++] = target;
      }
    }
  }
  return level[sink] !== -1;
}

/** Augments along level-increasing paths until none is left (one Dinic phase); iterative. */
function blockingFlow(graph: Residual, source: number, sink: number, level: Int32Array, cursor: Int32Array): number {
  const path: number[] = [];
  let flow = 0;
  let node = source;
  for (;;) {
    if (node === sink) {
      let bottleneck = Number.POSITIVE_INFINITY;
      for (const arc of path) bottleneck = Math.min(bottleneck, graph.cap[arc] as number);
      let firstSaturated = -1;
      path.forEach((arc, i) => {
        graph.cap[arc] = (graph.cap[arc] as number) - bottleneck;
        const twin = graph.twin[arc] as number;
        graph.cap[twin] = (graph.cap[twin] as number) + bottleneck;
        if (firstSaturated === -1 && graph.cap[arc] === 0) firstSaturated = i;
      });
      flow += bottleneck;
      path.length = firstSaturated;
      node = firstSaturated === 0 ? source : (graph.head[path[firstSaturated - 1] as number] as number);
      continue;
    }
    const arc = advance(graph, node, level, cursor);
    if (arc !== -1) {
      path.push(arc);
      node = graph.head[arc] as number;
      continue;
    }
    if (node === source) return flow;
    level[node] = -1; // dead end for this phase
    const back = path.pop() as number;
    node = graph.head[graph.twin[back] as number] as number;
    cursor[node] = (cursor[node] as number) + 1;
  }
}

/** The next usable arc out of `node` from its cursor on, or -1 (cursor left at the end). */
function advance(graph: Residual, node: number, level: Int32Array, cursor: Int32Array): number {
  const end = graph.first[node + 1] as number;
  const wanted = (level[node] as number) + 1;
  for (let arc = cursor[node] as number; arc < end; arc++) {
    if ((graph.cap[arc] as number) > 0 && level[graph.head[arc] as number] === wanted) {
      cursor[node] = arc;
      return arc;
    }
  }
  cursor[node] = end;
  return -1;
}

function grow<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

export interface BoundSlot {
  /** Places free when the round starts. */
  free: number;
  /** Break units of one place. */
  units: number;
  /** London date the slot starts on. */
  localDate: string;
  overnight: boolean;
}

export interface BoundChild {
  /** Break units the child wants (already capped by its entitlement). */
  unitsWanted: number;
  /** Indices into the slots array of every slot the child may be offered. */
  candidates: ArrayLike<number>;
  /**
   * Slots the child holds in an allocation of the round (each a candidate, within its want and the places
   * free): the search starts from that allocation as a flow instead of from nothing, which gives the same
   * maximum with fewer augmenting paths. Places that are not candidates with room are left out; all of it
   * is ignored if the placements hold more than a capacity.
   */
  placed?: ArrayLike<number>;
}

/**
 * Max-flow upper bound on break units allocatable; see the file comment for the relaxations.
 *
 * Children wanting the same units from the same set of places are one node
 * with their capacities added up: splitting any flow of the joint node evenly
 * between them gives each a flow within its own capacities, so the bound is
 * the same, while a county's many flexible children with the same needs and
 * dates stop multiplying the network's arcs.
 */
export function allocationUpperBound(children: readonly BoundChild[], slots: readonly BoundSlot[]): number {
  const network = new FlowNetwork();
  const source = network.addNode();
  const sink = network.addNode();
  const slotEdges = new Int32Array(slots.length);
  const slotNodes = slots.map((slot, index) => {
    const node = network.addNode();
    slotEdges[index] = network.addEdge(node, sink, slot.free * slot.units);
    return node;
  });
  const dayNumbers = new Map<string, number>();
  const dayOf = slots.map((slot) => {
    let day = dayNumbers.get(slot.localDate);
    if (day === undefined) {
      day = dayNumbers.size;
      dayNumbers.set(slot.localDate, day);
    }
    return day;
  });
  // Per London date of the child being added: its night group node and the group's capacity.
  const groupNode = new Int32Array(dayNumbers.size);
  const groupCap = new Float64Array(dayNumbers.size);
  const groupStamp = new Int32Array(dayNumbers.size);
  const groupDays: number[] = [];
  const groupFlow = new Float64Array(dayNumbers.size);
  // The allocation as a flow: units the group's children hold in each slot, and each slot's units held in all.
  const placedUnits = new Float64Array(slots.length);
  const placedStamp = new Int32Array(slots.length);
  const slotFlow = new Float64Array(slots.length);
  let fits = true;
  let stamp = 0;
  for (const { copies, child, members } of alike(children, slots)) {
    const childNode = network.addNode();
    const wantEdge = network.addEdge(source, childNode, child.unitsWanted * copies);
    stamp += 1;
    groupDays.length = 0;
    for (const member of members) {
      const placed = member.placed ?? [];
      for (let i = 0; i < placed.length; i++) {
        const index = placed[i] as number;
        if (placedStamp[index] !== stamp) {
          placedStamp[index] = stamp;
          placedUnits[index] = 0;
        }
        placedUnits[index] = (placedUnits[index] as number) + (slots[index] as BoundSlot).units;
      }
    }
    let wantFlow = 0;
    for (let i = 0; i < child.candidates.length; i++) {
      const index = child.candidates[i] as number;
      const slot = slots[index] as BoundSlot;
      if (slot.free <= 0) continue;
      let from = childNode;
      if (slot.overnight) {
        const day = dayOf[index] as number;
        if (groupStamp[day] !== stamp) {
          groupStamp[day] = stamp;
          groupNode[day] = network.addNode();
          groupCap[day] = 0;
          groupFlow[day] = 0;
          groupDays.push(day);
        }
        groupCap[day] = Math.max(groupCap[day] as number, slot.units);
        from = groupNode[day] as number;
      }
      const edge = network.addEdge(from, slotNodes[index] as number, slot.units * copies);
      const held = placedStamp[index] === stamp ? (placedUnits[index] as number) : 0;
      if (held > 0) {
        fits &&= network.setFlow(edge, held);
        slotFlow[index] = (slotFlow[index] as number) + held;
        wantFlow += held;
        if (slot.overnight) groupFlow[dayOf[index] as number] = (groupFlow[dayOf[index] as number] as number) + held;
      }
    }
    for (const day of groupDays) {
      const edge = network.addEdge(childNode, groupNode[day] as number, (groupCap[day] as number) * copies);
      if ((groupFlow[day] as number) > 0) fits &&= network.setFlow(edge, groupFlow[day] as number);
    }
    if (wantFlow > 0) fits &&= network.setFlow(wantEdge, wantFlow);
  }
  for (let index = 0; index < slots.length; index++) {
    if ((slotFlow[index] as number) > 0) fits &&= network.setFlow(slotEdges[index] as number, slotFlow[index] as number);
  }
  // Flows are set along the network's own edges, so they are conserved; placements over a capacity are not
  // an allocation this network allows, and the search starts from nothing.
  if (!fits) network.clearFlows();
  return network.maxFlow(source, sink);
}

/** Children with a want, those alike (same want, same set of places with room) given once with their number. */
function alike(children: readonly BoundChild[], slots: readonly BoundSlot[]): { copies: number; child: BoundChild; members: BoundChild[] }[] {
  const groups: { copies: number; child: BoundChild; members: BoundChild[]; size: number }[] = [];
  const byKey = new Map<string, number[]>();
  const marked = new Int32Array(slots.length);
  let mark = 0;
  for (const child of children) {
    if (child.unitsWanted <= 0) continue;
    // An order-independent fingerprint of the places with room; equal fingerprints are compared in full.
    let size = 0;
    let sum = 0;
    let mixed = 0;
    for (let i = 0; i < child.candidates.length; i++) {
      const index = child.candidates[i] as number;
      if ((slots[index] as BoundSlot).free <= 0) continue;
      size += 1;
      sum = (sum + index) | 0;
      mixed = (mixed + Math.imul(index + 1, 0x9e3779b1)) | 0;
    }
    const key = `${child.unitsWanted}|${size}|${sum}|${mixed}`;
    const seen = byKey.get(key);
    const same = seen?.find((at) => {
      const group = groups[at] as (typeof groups)[number];
      mark += 1;
      for (let i = 0; i < group.child.candidates.length; i++) marked[group.child.candidates[i] as number] = mark;
      for (let i = 0; i < child.candidates.length; i++) {
        const index = child.candidates[i] as number;
        if ((slots[index] as BoundSlot).free > 0 && marked[index] !== mark) return false;
      }
      return true;
    });
    if (same !== undefined) {
      const group = groups[same] as (typeof groups)[number];
      group.copies += 1;
      group.members.push(child);
      continue;
    }
    groups.push({ copies: 1, child, members: [child], size });
    if (seen) seen.push(groups.length - 1);
    else byKey.set(key, [groups.length - 1]);
  }
  return groups;
}
