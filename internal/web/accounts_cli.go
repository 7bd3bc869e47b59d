package web

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/diembao/diembao/internal/errkind"
)

// ReadPassword reads a password from the first line of r, its line end
// dropped (what `diembao user add --password-stdin` takes). An empty line
// is the caller's fault: the error wraps errkind.Invalid. Accounts.Add
// checks the rest of the password rules.
func ReadPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errkind.Sentinel("empty password on stdin", errkind.Invalid)
	}
	return pw, nil
}

// WriteUsers prints one tab-separated line per user: name, role, the day
// the account was created (what `diembao user list` prints).
func WriteUsers(w io.Writer, users []User) {
	for _, u := range users {
		fmt.Fprintf(w, "%s\t%s\t%s\n", u.Name, u.Role, u.Created.Format("2006-01-02"))
	}
}
