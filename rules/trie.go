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

// freeze builds the lookup tables once every phrase is added, and drops
// the maps they were built from: add may not be called after freeze.
func (t *trie) freeze() {
	t.symTab = newSymTable(t.syms)
	t.edgeTab = newEdgeTable(t.edges)
	t.syms, t.edges = nil, nil
}

// lookup returns the symbol of the syllable key buf[k:k+n], 0 if no phrase
// uses it; buf must extend symPad bytes past the key.
func (t *trie) lookup(buf []byte, k, n int) uint32 { return t.symTab.get(buf, k, n) }

// child returns the child of node by sym, 0 if none.
func (t *trie) child(node int32, sym uint32) int32 {
	return t.edgeTab.get(uint64(node)<<32 | uint64(sym))
}

// symTable maps syllable keys to symbols. Keys of up to 16 bytes (all
// Vietnamese syllables) are packed into two words and found by linear
// probing over a power of two slots, at most a quarter full; longer keys go
// through a map.
type symTable struct {
	tags  []uint8 // per slot: 0 empty, else 1 + 7 bits of the hash; small enough to stay in cache
	slots []symSlot
	shift uint
	long  map[string]uint32
}

type symSlot struct {
	lo, hi uint64 // the key's bytes, little-endian, zero-padded
	n      uint32 // key length
	sym    uint32 // 0: empty slot
}

// symPad is how many bytes must follow a key in its buffer for get.
const symPad = 16

func newSymTable(m map[string]uint32) symTable {
	size := 8
	for size < 4*len(m) { // a quarter full: most misses stop at the first tag
		size *= 2
	}
	t := symTable{tags: make([]uint8, size), slots: make([]symSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size))), long: map[string]uint32{}}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic layout
	for _, k := range keys {
		if len(k) > 16 {
			t.long[k] = m[k]
			continue
		}
		buf := make([]byte, len(k)+symPad)
		copy(buf, k)
		lo, hi := packKey(buf, len(k))
		h := hashPacked(lo, hi, len(k))
		i := h >> t.shift
		for t.tags[i] != 0 {
			i = (i + 1) & uint64(size-1)
		}
		t.tags[i] = tagOf(h)
		t.slots[i] = symSlot{lo: lo, hi: hi, n: uint32(len(k)), sym: m[k]}
	}
	return t
}

// packKey returns the n ≤ 16 bytes of buf[:n] as two zero-padded words;
// buf must hold at least 16 bytes.
func packKey(buf []byte, n int) (lo, hi uint64) {
	_ = buf[15]
	lo = binary.LittleEndian.Uint64(buf)
	if n < 8 {
		return lo & (1<<(8*uint(n)) - 1), 0
	}
	hi = binary.LittleEndian.Uint64(buf[8:])
	return lo, hi & (1<<(8*uint(n-8)) - 1)
}

func hashPacked(lo, hi uint64, n int) uint64 {
	h := lo*0x9E3779B97F4A7C15 ^ hi*0xC2B2AE3D27D4EB4F ^ uint64(n)
	h ^= h >> 31
	return h * 0xBF58476D1CE4E5B9
}

// get returns the symbol of buf[k:k+n], 0 if none; buf must extend at
// least symPad bytes past k+n.
func (t *symTable) get(buf []byte, k, n int) uint32 {
	if n > 16 {
		return t.long[string(buf[k:k+n])]
	}
	lo, hi := packKey(buf[k:], n)
	h := hashPacked(lo, hi, n)
	tag := tagOf(h)
	mask := uint64(len(t.tags) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		switch t.tags[i] {
		case 0:
			return 0
		case tag:
			if sl := &t.slots[i]; sl.lo == lo && sl.hi == hi && sl.n == uint32(n) {
				return sl.sym
			}
		}
	}
}

// tagOf is the slot tag of a hash: 1 + 7 low bits (the slot index uses the
// high bits).
func tagOf(h uint64) uint8 { return 1 + uint8(h&0x7f) }

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
