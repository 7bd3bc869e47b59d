package rules

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// trie is a trie over syllable symbols. Symbol 0 means "not in any phrase".
// It is built with add through maps, then freeze turns the symbols and the
// edges into open-addressing tables that the matcher probes without
// hashing strings or allocating.
type trie struct {
	syms  map[string]uint32
	root  []int32          // root edges, indexed by symbol
	edges map[uint64]int32 // node<<32 | symbol → child
	out   [][]int32        // node → phrases ending there

	symTab  symTable
	edgeTab edgeTable
}

func newTrie() trie {
	return trie{syms: map[string]uint32{}, root: []int32{0}, edges: map[uint64]int32{}, out: [][]int32{nil}}
}

func (t *trie) sym(s string) uint32 {
	if v, ok := t.syms[s]; ok {
		return v
	}
	v := uint32(len(t.root))
	t.syms[s] = v
	t.root = append(t.root, 0)
	return v
}

func (t *trie) add(seq []string, id int32) {
	node := int32(0)
	for i, s := range seq {
		sym := t.sym(s)
		var child int32
		if i == 0 {
			child = t.root[sym]
		} else {
			child = t.edges[uint64(node)<<32|uint64(sym)]
		}
		if child == 0 {
			child = int32(len(t.out))
			t.out = append(t.out, nil)
			if i == 0 {
				t.root[sym] = child
			} else {
				t.edges[uint64(node)<<32|uint64(sym)] = child
			}
		}
		node = child
	}
	if !slices.Contains(t.out[node], id) {
		t.out[node] = append(t.out[node], id)
	}
}

// freeze builds the lookup tables once every phrase is added.
func (t *trie) freeze() {
	t.symTab = newSymTable(t.syms)
	t.edgeTab = newEdgeTable(t.edges)
}

// lookup returns the symbol of a syllable key, 0 if no phrase uses it.
func (t *trie) lookup(key []byte) uint32 { return t.symTab.get(key) }

// child returns the child of node by sym, 0 if none.
func (t *trie) child(node int32, sym uint32) int32 {
	return t.edgeTab.get(uint64(node)<<32 | uint64(sym))
}

// symTable maps syllable keys to symbols: linear probing over a power of
// two slots, at most half full, keys stored in one string.
type symTable struct {
	slots []symSlot
	shift uint
	data  string
}

type symSlot struct {
	hash   uint32 // high bits of the key's hash, for a cheap first check
	off, n uint32 // key is data[off:off+n]
	sym    uint32 // 0: empty slot
}

func newSymTable(m map[string]uint32) symTable {
	size := 8
	for size < 2*len(m) {
		size *= 2
	}
	t := symTable{slots: make([]symSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic layout
	var data []byte
	for _, k := range keys {
		h := hashKey([]byte(k))
		i := h >> t.shift
		for t.slots[i].sym != 0 {
			i = (i + 1) & uint64(size-1)
		}
		t.slots[i] = symSlot{hash: uint32(h), off: uint32(len(data)), n: uint32(len(k)), sym: m[k]}
		data = append(data, k...)
	}
	t.data = string(data)
	return t
}

func (t *symTable) get(key []byte) uint32 {
	h := hashKey(key)
	mask := uint64(len(t.slots) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.sym == 0 {
			return 0
		}
		if sl.hash == uint32(h) && int(sl.n) == len(key) && t.data[sl.off:sl.off+sl.n] == string(key) {
			return sl.sym
		}
	}
}

// hashKey is a fast non-cryptographic hash of a short byte string; the
// table is built from trusted rules, so probe lengths do not depend on the
// text.
func hashKey(b []byte) uint64 {
	const m = 0x9E3779B97F4A7C15
	h := uint64(len(b)) * m
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * m
		h ^= h >> 29
		b = b[8:]
	}
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	h = (h ^ v) * m
	h ^= h >> 32
	h *= m
	return h
}

// edgeTable maps node<<32|symbol to the child node: linear probing over a
// power of two slots, at most half full; key 0 (node 0, symbol 0) never
// occurs and marks an empty slot.
type edgeTable struct {
	slots []edgeSlot
	shift uint
}

type edgeSlot struct {
	key   uint64
	child int32
}

func newEdgeTable(m map[uint64]int32) edgeTable {
	size := 8
	for size < 2*len(m) {
		size *= 2
	}
	t := edgeTable{slots: make([]edgeSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := (k * 0x9E3779B97F4A7C15) >> t.shift
		for t.slots[i].key != 0 {
			i = (i + 1) & uint64(size-1)
		}
		t.slots[i] = edgeSlot{key: k, child: m[k]}
	}
	return t
}

func (t *edgeTable) get(key uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	for i := (key * 0x9E3779B97F4A7C15) >> t.shift; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.key == key {
			return sl.child
		}
		if sl.key == 0 {
			return 0
		}
	}
}
