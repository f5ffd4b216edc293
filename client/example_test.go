package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/kinko-jp/kinko/client"
)

func ExampleNew() {
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"),
		client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	if err := c.Readyz(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func ExampleClient_CreateCustomer() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
	id, err := c.CreateCustomer(ctx, client.Input{
		Name:       new("山田 太郎"),
		NameKana:   new("ヤマダ タロウ"),
		Email:      new("taro@example.jp"),
		Phone:      new("090-1234-5678"),
		PostalCode: new("106-0032"),
		Address:    &client.Address{Prefecture: "東京都", City: "港区", Line1: "六本木1-2-3"},
		BirthDate:  new("1985-04-01"),
		Attributes: map[string]string{"member_rank": "gold"},
	})
	var apiErr *client.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.Code == client.CodeCardNumberRefused:
		// The message names the field; the value is never repeated.
		fmt.Println("please enter the card on the payment page:", apiErr.Message)
		return
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("stored as", id)
}

func ExampleClient_UpdateCustomer() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
	// Replace the phone number, remove the birth date, keep everything else.
	cust, err := c.UpdateCustomer(ctx, "tgu7ldjeymhdumvbfyb56zn5oi", client.Patch{
		Set:   client.Input{Phone: new("03-1234-5678")},
		Clear: []client.Field{client.FieldBirthDate},
	})
	switch {
	case client.IsNotFound(err), client.IsShredded(err):
		fmt.Println("no such customer (any more)")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("updated at", cust.UpdatedAt)
	}
}

func ExampleClient_SearchCustomers() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
	// Full-width digits and hyphens find 090-1234-5678: search normalises the value.
	found, err := c.SearchCustomers(ctx, client.SearchPhone, "０９０−１２３４−５６７８")
	if err != nil {
		log.Fatal(err)
	}
	for _, cust := range found {
		fmt.Println(cust.ID)
	}
}

func ExampleClient_Check() {
	ctx := context.Background()
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
	inquiry := "カード番号は 4111-1111-1111-1111 です"
	findings, err := c.Check(ctx, inquiry)
	if err != nil {
		log.Fatal(err)
	}
	// From the end, so that earlier offsets stay valid.
	for i := len(findings) - 1; i >= 0; i-- {
		if f := findings[i]; f.Type == client.FindingCardNumber {
			inquiry = inquiry[:f.Start] + "[card number removed]" + inquiry[f.End:]
		}
	}
	fmt.Println(inquiry)
}

func ExampleAPIError() {
	c := client.New("http://127.0.0.1:8740", os.Getenv("KINKO_API_KEY"))
	_, err := c.GetCustomer(context.Background(), "tgu7ldjeymhdumvbfyb56zn5oi")
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		// Status, stable code, safe message, and the id of the server's log line.
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Message, apiErr.ID)
	}
}
