package tenancy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/slawatch/slawatch/internal/atomicfile"
	"github.com/slawatch/slawatch/internal/secret"
)

// AddCredential appends the entry of a new user of po with token to the
// credentials file at path (created when missing), after checking that the
// result parses (a user already there is an error). The file is replaced
// atomically and left readable by its owner only.
func AddCredential(path, po, user string, token secret.Secret) error {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = []byte("# slawatch tenancy proxy credentials (docs/PROXY.md): token hashes only\ncredentials:\n")
	case err != nil:
		return fmt.Errorf("credentials file: %w", err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = append(data, Entry(po, user, token)...)
	if _, err := ParseCredentials(path, data); err != nil {
		return fmt.Errorf("the credentials file would not be valid with the new entry (add it by hand):\n%w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("credentials file: %w", err)
	}
	return os.Chmod(path, 0o600)
}
