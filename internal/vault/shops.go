package vault

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
)

// DefaultShop is the shop kinko init creates.
const DefaultShop = "default"

// ErrShopExists: a shop with that name already exists.
var ErrShopExists = errors.New("a shop with that name already exists")

// ErrNoShop: no shop with that id or name.
var ErrNoShop = errors.New("no such shop")

// shopKeys are a shop's unwrapped derived keys, cached for the life of the process. Index
// keys are derived from the shop's own random root key (stored wrapped by the master key)
// rather than from the master key itself, so rotating the master key re-wraps one small key
// per shop and every blind index stays valid.
type shopKeys struct {
	indexers map[string]*seal.Indexer // by field: its blind-index key, keyed once
}

var shopNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// CreateShop adds a tenant with its own root key. Names are lower-case letters, digits and
// hyphens (they appear in logs and commands).
func (v *Vault) CreateShop(ctx context.Context, name string) (store.Shop, error) {
	if !shopNameRE.MatchString(name) {
		return store.Shop{}, fmt.Errorf("shop name %q: use 1 to 63 lower-case letters, digits or hyphens", name)
	}
	id, err := NewID(v.rand)
	if err != nil {
		return store.Shop{}, err
	}
	root, err := seal.NewRandomKey(v.rand)
	if err != nil {
		return store.Shop{}, err
	}
	kv, wrapped, err := v.keys.Wrap(root, func(ver uint32) []byte { return seal.ShopKeyAD(id, ver) })
	if err != nil {
		return store.Shop{}, err
	}
	s := store.Shop{ID: id, Name: name, KeyVersion: kv, WrappedKey: wrapped, Created: v.now().UTC().Truncate(time.Second)}
	if err := v.db.CreateShop(ctx, s); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return store.Shop{}, ErrShopExists
		}
		return store.Shop{}, fmt.Errorf("creating shop: %w", err)
	}
	return s, nil
}

// ShopByName finds a shop.
func (v *Vault) ShopByName(ctx context.Context, name string) (store.Shop, error) {
	s, err := v.db.ShopByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return s, ErrNoShop
	}
	return s, err
}

// ShopByID finds a shop by its id (a staff session names its shop by id).
func (v *Vault) ShopByID(ctx context.Context, id string) (store.Shop, error) {
	s, err := v.db.Shop(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s, ErrNoShop
	}
	return s, err
}

func (v *Vault) shop(ctx context.Context, id string) (*shopKeys, error) {
	v.shopMu.RLock()
	sk := v.shopCache[id]
	v.shopMu.RUnlock()
	if sk != nil {
		return sk, nil
	}
	s, err := v.db.Shop(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoShop
	}
	if err != nil {
		return nil, fmt.Errorf("reading shop: %w", err)
	}
	root, err := v.keys.Unwrap(s.KeyVersion, s.WrappedKey, seal.ShopKeyAD(s.ID, s.KeyVersion))
	if err != nil {
		return nil, fmt.Errorf("%w: shop key: %v", ErrIntegrity, err)
	}
	sk = &shopKeys{indexers: map[string]*seal.Indexer{}}
	for _, ix := range indexed {
		k, err := seal.Derive(root, "kinko/index/v1/"+ix.field)
		if err != nil {
			return nil, err
		}
		sk.indexers[ix.field] = seal.NewIndexer(k)
	}
	v.shopMu.Lock()
	v.shopCache[id] = sk
	v.shopMu.Unlock()
	return sk, nil
}

func (sk *shopKeys) index(field, normalised string) []byte {
	return sk.indexers[field].Index([]byte(normalised))
}

// indexRows computes the blind-index entries of a record; empty normalised values get none.
func (sk *shopKeys) indexRows(in *Input) []store.Index {
	var out []store.Index
	for _, ix := range indexed {
		s := ix.get(in)
		if s == nil {
			continue
		}
		if n := ix.norm(*s); n != "" {
			out = append(out, store.Index{Field: ix.field, HMAC: sk.index(ix.field, n)})
		}
	}
	return out
}

// ShopCount is the number of shops this server holds.
func (v *Vault) ShopCount(ctx context.Context) (int, error) {
	shops, err := v.db.Shops(ctx)
	return len(shops), err
}

// CheckKeys unwraps every shop's root key (cached after the first time): it fails when the
// loaded master keys cannot open this database's data (a wrong key file, a restore whose
// key version was retired).
func (v *Vault) CheckKeys(ctx context.Context) error {
	shops, err := v.db.Shops(ctx)
	if err != nil {
		return err
	}
	for _, s := range shops {
		if _, err := v.shop(ctx, s.ID); err != nil {
			return fmt.Errorf("shop %s: %w", s.Name, err)
		}
	}
	return nil
}
