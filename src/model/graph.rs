//! The dependency graph: one root (the image) → base image, layers, operating system →
//! packages → their dependencies, as a petgraph `StableDiGraph`.
//!
//! Real package graphs have cycles (`libc6` ↔ `libgcc-s1`), so nothing here assumes a DAG.
//! The SBOM documents carry a projection of this graph ([`DependencyGraph::document_edges`]):
//! layer nodes are dropped (their facts go into each package's evidence) and a package no
//! other document node contains is attached to the image. Both encoders emit exactly that edge
//! set, so CycloneDX and SPDX output always agree.

use std::collections::{BTreeSet, HashMap, HashSet};

use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{Bfs, EdgeRef, IntoEdgeReferences};

use crate::model::{PackageId, RelationshipKind, Sbom};

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// The scanned image: the root.
    Image,
    /// The image it was built on.
    BaseImage,
    /// The Linux distribution.
    OperatingSystem,
    /// A layer, by index.
    Layer(u32),
    /// A package.
    Package(PackageId),
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edge {
    /// The source contains the target.
    Contains,
    /// The source needs the target.
    DependsOn,
    /// The source image was built on the target image.
    DescendantOf,
}

/// A node as the documents show it (layers are not document nodes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocNode {
    /// The image.
    Image,
    /// The base image.
    BaseImage,
    /// The operating system.
    OperatingSystem,
    /// A package.
    Package(PackageId),
}

/// An edge as the documents carry it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocEdge {
    /// Source.
    pub from: DocNode,
    /// Target.
    pub to: DocNode,
    /// Meaning.
    pub kind: Edge,
}

/// The graph of one SBOM.
pub struct DependencyGraph {
    graph: StableDiGraph<Node, Edge>,
    index: HashMap<Node, NodeIndex>,
    /// The edges present, so that adding one is O(1): the image has an edge to nearly every
    /// package, and scanning its edge list each time made building quadratic.
    edges: HashSet<(NodeIndex, NodeIndex, Edge)>,
    root: NodeIndex,
}

impl DependencyGraph {
    /// Builds the graph of `sbom`.
    pub fn build(sbom: &Sbom) -> Self {
        let mut g = DependencyGraph {
            graph: StableDiGraph::new(),
            index: HashMap::new(),
            edges: HashSet::new(),
            root: NodeIndex::new(0),
        };
        g.root = g.node(Node::Image);
        if sbom.image.base.is_some() {
            g.edge(Node::Image, Node::BaseImage, Edge::DescendantOf);
        }
        for l in &sbom.layers {
            g.edge(Node::Image, Node::Layer(l.index), Edge::Contains);
        }
        let has_os = sbom.distro.is_some() && sbom.packages.iter().any(|p| p.ecosystem.is_os());
        if has_os {
            g.edge(Node::Image, Node::OperatingSystem, Edge::Contains);
        }
        for p in &sbom.packages {
            let node = Node::Package(p.id());
            let layer = p
                .introduced_in
                .or_else(|| p.locations.iter().next().map(|l| l.layer));
            match layer {
                Some(l) if sbom.layers.iter().any(|x| x.index == l) => {
                    g.edge(Node::Layer(l), node.clone(), Edge::Contains)
                }
                _ => g.edge(Node::Image, node.clone(), Edge::Contains),
            }
            if has_os && p.ecosystem.is_os() {
                g.edge(Node::OperatingSystem, node, Edge::Contains);
            }
        }
        for r in &sbom.relationships {
            let kind = match r.kind {
                RelationshipKind::DependsOn => Edge::DependsOn,
                RelationshipKind::Contains => Edge::Contains,
            };
            g.edge(
                Node::Package(r.from.clone()),
                Node::Package(r.to.clone()),
                kind,
            );
        }
        g
    }

    fn node(&mut self, n: Node) -> NodeIndex {
        if let Some(&i) = self.index.get(&n) {
            return i;
        }
        let i = self.graph.add_node(n.clone());
        self.index.insert(n, i);
        i
    }

    fn edge(&mut self, from: Node, to: Node, kind: Edge) {
        let a = self.node(from);
        let b = self.node(to);
        if self.edges.insert((a, b, kind)) {
            self.graph.add_edge(a, b, kind);
        }
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Nodes not reachable from the root (always empty for a graph built by [`build`](Self::build)).
    pub fn unreachable(&self) -> Vec<Node> {
        let mut seen = BTreeSet::new();
        let mut bfs = Bfs::new(&self.graph, self.root);
        while let Some(n) = bfs.next(&self.graph) {
            seen.insert(n);
        }
        let mut out: Vec<Node> = self
            .graph
            .node_indices()
            .filter(|i| !seen.contains(i))
            .map(|i| self.graph[i].clone())
            .collect();
        out.sort();
        out
    }

    /// Packages `id` directly depends on.
    pub fn dependencies_of(&self, id: &PackageId) -> Vec<PackageId> {
        let Some(&i) = self.index.get(&Node::Package(id.clone())) else {
            return Vec::new();
        };
        let mut out: Vec<PackageId> = self
            .graph
            .edges_directed(i, Direction::Outgoing)
            .filter(|e| *e.weight() == Edge::DependsOn)
            .filter_map(|e| match &self.graph[e.target()] {
                Node::Package(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        out.sort();
        out
    }

    /// The edges the SBOM documents carry, sorted. See the module docs.
    pub fn document_edges(&self) -> Vec<DocEdge> {
        let doc = |n: &Node| match n {
            Node::Image => Some(DocNode::Image),
            Node::BaseImage => Some(DocNode::BaseImage),
            Node::OperatingSystem => Some(DocNode::OperatingSystem),
            Node::Package(p) => Some(DocNode::Package(p.clone())),
            Node::Layer(_) => None,
        };
        let mut edges = BTreeSet::new();
        let mut contained = BTreeSet::new();
        for e in (&self.graph).edge_references() {
            let (Some(from), Some(to)) =
                (doc(&self.graph[e.source()]), doc(&self.graph[e.target()]))
            else {
                continue;
            };
            if *e.weight() == Edge::Contains {
                contained.insert(to.clone());
            }
            edges.insert(DocEdge {
                from,
                to,
                kind: *e.weight(),
            });
        }
        for n in self.graph.node_weights() {
            if let Node::Package(p) = n {
                let d = DocNode::Package(p.clone());
                if !contained.contains(&d) {
                    edges.insert(DocEdge {
                        from: DocNode::Image,
                        to: d,
                        kind: Edge::Contains,
                    });
                }
            }
        }
        edges.into_iter().collect()
    }
}
