//! What can be wrong with a lineage graph handed to the solver.

use ldfi_lineage::{LineageGraph, NodeIdx, Vertex, Vid};
use thiserror::Error;

/// A lineage graph the solver cannot encode, from
/// [`Solver::try_add_graph`](crate::Solver::try_add_graph).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum GraphError {
    /// `root` is not a vertex.
    #[error("lineage graph: root {root} is not a vertex (the graph has {len} vertices)")]
    RootOutOfRange {
        /// The root given.
        root: Vid,
        /// Number of vertices.
        len: usize,
    },
    /// A vertex lists a child that is not listed before it.
    #[error("lineage graph: vertex {vertex} has child {child}, which is not listed before it")]
    ChildOutOfOrder {
        /// The parent.
        vertex: Vid,
        /// The offending child.
        child: Vid,
    },
    /// A vertex names a node index outside `nodes`.
    #[error("lineage graph: vertex {vertex} names node {node}, but the graph has {len} nodes")]
    NodeOutOfRange {
        /// The vertex.
        vertex: Vid,
        /// The node index.
        node: NodeIdx,
        /// Number of node names.
        len: usize,
    },
    /// A node name of the graph is not a node of the fault space.
    #[error("lineage graph: node `{name}` is not in the fault space's nodes")]
    UnknownNode {
        /// The name.
        name: String,
    },
}

/// Checks what the encoding relies on: children listed before parents, the
/// root and every node index in range.
pub(crate) fn check_structure(g: &LineageGraph) -> Result<(), GraphError> {
    let len = g.vertices.len();
    if g.root as usize >= len {
        return Err(GraphError::RootOutOfRange { root: g.root, len });
    }
    let node_ok = |vertex: Vid, node: NodeIdx| {
        if (node as usize) < g.nodes.len() {
            Ok(())
        } else {
            Err(GraphError::NodeOutOfRange {
                vertex,
                node,
                len: g.nodes.len(),
            })
        }
    };
    for (i, v) in g.vertices.iter().enumerate() {
        let vertex = i as Vid;
        if let Some(&child) = g.children(vertex).iter().find(|&&c| c >= vertex) {
            return Err(GraphError::ChildOutOfOrder { vertex, child });
        }
        match v {
            Vertex::Derivation { node, .. }
            | Vertex::Crashed { node }
            | Vertex::CrashedBy { node, .. }
            | Vertex::RestartedBy { node, .. } => node_ok(vertex, *node)?,
            Vertex::Message { id, to, .. } => {
                node_ok(vertex, id.from)?;
                node_ok(vertex, *to)?;
            }
            Vertex::True
            | Vertex::False
            | Vertex::Or { .. }
            | Vertex::And { .. }
            | Vertex::Not { .. } => {}
        }
    }
    Ok(())
}
