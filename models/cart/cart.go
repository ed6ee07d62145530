// Package cart holds the cart line type every model shares (traffic draws
// carts, pricing prices them, inventory reserves them), so none of them
// imports another for it.
package cart

// Item is one cart line.
type Item struct {
	SKU uint32
	Qty int
}
