package web

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// AddKept creates the user name with role and a generated password on the
// first call, keeping the password in pwFile (0600); later calls, the user
// existing, read it back from there. It returns the password.
func (a *Accounts) AddKept(ctx context.Context, name, role, pwFile string) (string, error) {
	password := GeneratePassword()
	err := a.Add(ctx, name, role, password)
	switch {
	case err == nil:
		if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("save password: %w", err)
		}
		return password, nil
	case errors.Is(err, ErrUserExists):
		b, rerr := os.ReadFile(pwFile)
		if rerr != nil {
			return "", fmt.Errorf("user %s exists but %s is unreadable (%w)", name, pwFile, rerr)
		}
		return strings.TrimSpace(string(b)), nil
	default:
		return "", fmt.Errorf("create user: %w", err)
	}
}
