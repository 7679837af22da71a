package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func checkCompose(file string) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	absolute, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(absolute),
		ConfigFiles: []types.ConfigFile{{Filename: absolute, Content: content}},
		// Only the defaults the file gives (${VAR:-default}): the check must not depend on the shell.
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(context.Background(), details, func(options *loader.Options) {
		options.SetProjectName("deploy-check", true)
	})
	if err != nil {
		return fmt.Errorf("%s does not follow the Compose Specification: %w", file, err)
	}
	fmt.Printf("%s follows the Compose Specification: services %v\n", file, project.ServiceNames())
	return nil
}
