//! A layered (Sugiyama-style) layout of a directed acyclic graph, so the
//! report draws lineage without Graphviz:
//!
//! 1. **layers** — longest path from the sources (a parent sits above each
//!    of its children);
//! 2. **dummies** — an edge spanning several layers gets a dummy vertex in
//!    each, so it bends around vertices instead of crossing them;
//! 3. **order** — barycenter sweeps, down and up, keeping the order with
//!    the fewest crossings seen;
//! 4. **coordinates** — each vertex pulled toward the mean of its
//!    neighbours, then pushed apart so no two boxes of a layer overlap.
//!
//! Deterministic: ties break by vertex index.

/// A laid-out graph: centres of the vertices and a polyline per edge.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Centre x of each input vertex.
    pub x: Vec<f64>,
    /// Centre y of each input vertex.
    pub y: Vec<f64>,
    /// Per input edge, its points from parent to child (through dummies).
    pub edges: Vec<Vec<(f64, f64)>>,
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
}

/// Horizontal gap between two boxes of a layer.
const GAP: f64 = 24.0;
/// Margin around the drawing.
const MARGIN: f64 = 16.0;
/// Width of a dummy vertex (an edge passing through a layer).
const DUMMY_W: f64 = 8.0;
/// Barycenter sweeps.
const SWEEPS: usize = 12;
/// Coordinate relaxation rounds.
const ROUNDS: usize = 24;

/// Lays out `widths.len()` vertices of height `box_h` and the given
/// `(parent, child)` edges, layers `layer_gap` apart.
///
/// # Panics
///
/// If an edge names a vertex out of range or the edges form a cycle (a
/// caller's bug: lineage graphs are acyclic).
pub fn layered(widths: &[f64], box_h: f64, layer_gap: f64, edges: &[(usize, usize)]) -> Layout {
    let n = widths.len();
    let layer = layers(n, edges);
    let g = Expanded::new(widths, &layer, edges);
    let order = g.order();
    let x = g.coordinates(&order);
    let row = box_h + layer_gap;
    let y_of = |l: usize| MARGIN + box_h / 2.0 + l as f64 * row;
    let point = |v: usize| (x[v], y_of(g.layer[v]));
    let edges_out = g
        .paths
        .iter()
        .map(|p| p.iter().map(|&v| point(v)).collect())
        .collect();
    let width = (0..g.layer.len())
        .map(|v| x[v] + g.width[v] / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;
    let layers_n = g.layer.iter().max().map_or(0, |l| l + 1);
    Layout {
        x: x[..n].to_vec(),
        y: (0..n).map(|v| y_of(layer[v])).collect(),
        edges: edges_out,
        width,
        height: MARGIN * 2.0 + layers_n as f64 * row - layer_gap,
    }
}

/// Longest-path layering from the sources.
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(p, c) in edges {
        assert!(p < n && c < n, "edge ({p}, {c}) out of range");
        out[p].push(c);
        indeg[c] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut done = 0;
    while let Some(v) = ready.pop_first() {
        done += 1;
        for &c in &out[v] {
            layer[c] = layer[c].max(layer[v] + 1);
            indeg[c] -= 1;
            if indeg[c] == 0 {
                ready.insert(c);
            }
        }
    }
    assert_eq!(done, n, "the graph to lay out has a cycle");
    layer
}

/// The graph with dummy vertices: vertex `v >= n` is a dummy.
struct Expanded {
    /// Vertices below this index are the input's; the rest are dummies.
    real: usize,
    width: Vec<f64>,
    layer: Vec<usize>,
    /// Per original edge, its vertices from parent to child.
    paths: Vec<Vec<usize>>,
    /// Adjacent-layer neighbours: up (parents) and down (children).
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

impl Expanded {
    fn new(widths: &[f64], layer: &[usize], edges: &[(usize, usize)]) -> Expanded {
        let mut g = Expanded {
            real: widths.len(),
            width: widths.to_vec(),
            layer: layer.to_vec(),
            paths: Vec::new(),
            up: vec![Vec::new(); widths.len()],
            down: vec![Vec::new(); widths.len()],
        };
        for &(p, c) in edges {
            let mut path = vec![p];
            for l in layer[p] + 1..layer[c] {
                let d = g.width.len();
                g.width.push(DUMMY_W);
                g.layer.push(l);
                g.up.push(Vec::new());
                g.down.push(Vec::new());
                path.push(d);
            }
            path.push(c);
            for w in path.windows(2) {
                g.down[w[0]].push(w[1]);
                g.up[w[1]].push(w[0]);
            }
            g.paths.push(path);
        }
        g
    }

    /// Vertices per layer, ordered to keep crossings few.
    fn order(&self) -> Vec<Vec<usize>> {
        let layers_n = self.layer.iter().max().map_or(0, |l| l + 1);
        let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
        for v in self.dfs_order() {
            order[self.layer[v]].push(v);
        }
        let mut best = order.clone();
        let mut best_x = self.crossings(&order);
        for sweep in 0..SWEEPS {
            let downward = sweep % 2 == 0;
            let ls: Vec<usize> = if downward {
                (1..layers_n).collect()
            } else {
                (0..layers_n.saturating_sub(1)).rev().collect()
            };
            for l in ls {
                let (fixed, nbrs) = if downward {
                    (&order[l - 1], &self.up)
                } else {
                    (&order[l + 1], &self.down)
                };
                let pos: std::collections::BTreeMap<usize, usize> =
                    fixed.iter().enumerate().map(|(i, &v)| (v, i)).collect();
                let mut keyed: Vec<(f64, usize, usize)> = order[l]
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| {
                        let ps: Vec<f64> = nbrs[v]
                            .iter()
                            .filter_map(|u| pos.get(u))
                            .map(|&p| p as f64)
                            .collect();
                        let bary = if ps.is_empty() {
                            i as f64
                        } else {
                            ps.iter().sum::<f64>() / ps.len() as f64
                        };
                        (bary, i, v)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                order[l] = keyed.into_iter().map(|(_, _, v)| v).collect();
            }
            let c = self.crossings(&order);
            if c < best_x {
                best_x = c;
                best = order.clone();
            }
        }
        best
    }

    /// Vertices in depth-first order from the sources (children in edge
    /// order): a first order that keeps subtrees together.
    fn dfs_order(&self) -> Vec<usize> {
        let n = self.width.len();
        let mut seen = vec![false; n];
        let mut out = Vec::with_capacity(n);
        for s in (0..n).filter(|&v| self.up[v].is_empty()) {
            let mut stack = vec![s];
            while let Some(v) = stack.pop() {
                if std::mem::replace(&mut seen[v], true) {
                    continue;
                }
                out.push(v);
                stack.extend(self.down[v].iter().rev().filter(|&&c| !seen[c]));
            }
        }
        out.extend((0..n).filter(|&v| !seen[v]));
        out
    }

    /// Edge crossings between adjacent layers.
    fn crossings(&self, order: &[Vec<usize>]) -> usize {
        let mut pos = vec![0usize; self.width.len()];
        for layer in order {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
        let mut total = 0;
        for layer in order {
            let segs: Vec<(usize, usize)> = layer
                .iter()
                .flat_map(|&v| self.down[v].iter().map(move |&c| (v, c)))
                .map(|(v, c)| (pos[v], pos[c]))
                .collect();
            for i in 0..segs.len() {
                for j in i + 1..segs.len() {
                    let (a, b) = (segs[i], segs[j]);
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    /// Centre x of every vertex: each pulled toward the mean of its
    /// parents on downward rounds and of its children on upward ones (a
    /// chain of dummies follows its one neighbour, so long edges run
    /// straight), then pushed apart so boxes do not overlap.
    fn coordinates(&self, order: &[Vec<usize>]) -> Vec<f64> {
        let mut x = vec![0f64; self.width.len()];
        for layer in order {
            let mut left = MARGIN;
            for (i, &v) in layer.iter().enumerate() {
                if i > 0 {
                    left += self.gap(layer[i - 1], v);
                }
                x[v] = left + self.width[v] / 2.0;
                left += self.width[v];
            }
        }
        for round in 0..ROUNDS {
            let downward = round % 2 == 0;
            let last = round + 1 == ROUNDS;
            let ls: Vec<usize> = if downward {
                (1..order.len()).collect()
            } else {
                (0..order.len().saturating_sub(1)).rev().collect()
            };
            for l in ls {
                let want: Vec<f64> = order[l]
                    .iter()
                    .map(|&v| {
                        let nb: Vec<usize> = match (last, downward) {
                            (true, _) => self.up[v].iter().chain(&self.down[v]).copied().collect(),
                            (false, true) => self.up[v].clone(),
                            (false, false) => self.down[v].clone(),
                        };
                        if nb.is_empty() {
                            x[v]
                        } else {
                            nb.iter().map(|&u| x[u]).sum::<f64>() / nb.len() as f64
                        }
                    })
                    .collect();
                self.place(&order[l], &want, &mut x);
            }
        }
        let min_left = (0..x.len())
            .map(|v| x[v] - self.width[v] / 2.0)
            .fold(f64::INFINITY, f64::min);
        if min_left.is_finite() {
            for xv in &mut x {
                *xv += MARGIN - min_left;
            }
        }
        x
    }

    /// Space between neighbours `a` and `b` of a layer: edges passing
    /// through may run close, boxes keep apart.
    fn gap(&self, a: usize, b: usize) -> f64 {
        let dummy = |v: usize| v >= self.real;
        match (dummy(a), dummy(b)) {
            (true, true) => GAP / 4.0,
            (true, false) | (false, true) => GAP / 2.0,
            (false, false) => GAP,
        }
    }

    /// Puts the vertices of one layer as near `want` as their order and
    /// widths allow: a left-to-right pass then a right-to-left one, and
    /// the mean of the two.
    fn place(&self, layer: &[usize], want: &[f64], x: &mut [f64]) {
        let k = layer.len();
        if k == 0 {
            return;
        }
        // Least distance between the centres of neighbours i-1 and i.
        let sep = |i: usize| {
            self.width[layer[i - 1]] / 2.0
                + self.gap(layer[i - 1], layer[i])
                + self.width[layer[i]] / 2.0
        };
        let mut l2r = vec![0f64; k];
        for i in 0..k {
            l2r[i] = if i == 0 {
                want[0]
            } else {
                want[i].max(l2r[i - 1] + sep(i))
            };
        }
        let mut r2l = vec![0f64; k];
        for i in (0..k).rev() {
            r2l[i] = if i == k - 1 {
                want[i]
            } else {
                want[i].min(r2l[i + 1] - sep(i + 1))
            };
        }
        let mut mean: Vec<f64> = (0..k).map(|i| (l2r[i] + r2l[i]) / 2.0).collect();
        for i in 1..k {
            mean[i] = mean[i].max(mean[i - 1] + sep(i));
        }
        for (i, &v) in layer.iter().enumerate() {
            x[v] = mean[i];
        }
    }
}

/// True if two boxes of the same row overlap (for tests).
#[cfg(test)]
pub(crate) fn overlaps(l: &Layout, widths: &[f64]) -> Option<(usize, usize)> {
    for a in 0..l.x.len() {
        for b in a + 1..l.x.len() {
            let same_row = (l.y[a] - l.y[b]).abs() < 1e-6;
            let apart = (l.x[a] - l.x[b]).abs() >= (widths[a] + widths[b]) / 2.0 - 1e-6;
            if same_row && !apart {
                return Some((a, b));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_sit_above_children_and_boxes_never_overlap() {
        // A diamond with a long edge and wide labels.
        let widths = [120.0, 200.0, 60.0, 180.0, 90.0];
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (0, 4)];
        let l = layered(&widths, 24.0, 40.0, &edges);
        for &(p, c) in &edges {
            assert!(l.y[p] < l.y[c], "edge ({p}, {c})");
        }
        assert_eq!(overlaps(&l, &widths), None);
        // The long edge 0 → 4 passes through dummies: one point per layer.
        assert_eq!(l.edges[5].len(), 4);
    }

    #[test]
    fn a_wide_fan_has_no_overlaps_and_no_crossings_in_a_tree() {
        let mut widths = vec![80.0];
        let mut edges = Vec::new();
        for i in 1..=12 {
            widths.push(40.0 + 10.0 * i as f64);
            edges.push((0, i));
            widths.push(50.0);
            edges.push((i, widths.len() - 1));
        }
        let l = layered(&widths, 24.0, 40.0, &edges);
        assert_eq!(overlaps(&l, &widths), None);
        let g = Expanded::new(&widths, &layers(widths.len(), &edges), &edges);
        assert_eq!(g.crossings(&g.order()), 0);
    }

    #[test]
    fn layout_is_deterministic() {
        let widths = [50.0; 6];
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (1, 4), (2, 5)];
        let a = layered(&widths, 20.0, 30.0, &edges);
        let b = layered(&widths, 20.0, 30.0, &edges);
        assert_eq!(a.x, b.x);
    }
}
