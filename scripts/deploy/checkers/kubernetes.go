package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// The API groups the manifests may use; an object of any other kind fails as unknown.
var addToScheme = []func(*runtime.Scheme) error{
	corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, policyv1.AddToScheme,
}

func checkKubernetes(args []string) error {
	input := io.Reader(os.Stdin)
	if len(args) == 1 {
		file, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer file.Close()
		input = file
	}
	scheme := runtime.NewScheme()
	for _, add := range addToScheme {
		if err := add(scheme); err != nil {
			return err
		}
	}
	// Strict: unknown and duplicate fields are errors, as `kubectl apply --validate=strict` makes them.
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	reader := yaml.NewYAMLReader(bufio.NewReader(input))
	objects, failures := 0, 0
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading YAML: %w", err)
		}
		if len(bytes.TrimSpace(document)) == 0 {
			continue
		}
		objects++
		if !decodeOne(decoder, document, objects) {
			failures++
		}
	}
	if objects == 0 {
		return errors.New("no Kubernetes objects in the input")
	}
	if failures > 0 {
		return fmt.Errorf("%d of %d objects do not decode strictly", failures, objects)
	}
	fmt.Printf("all %d objects decode strictly against k8s.io/api\n", objects)
	return nil
}

func decodeOne(decoder runtime.Decoder, document []byte, index int) bool {
	object, kind, err := decoder.Decode(document, nil, nil)
	if err != nil {
		fmt.Printf("FAIL object %d (%s): %v\n", index, looseIdentity(document), err)
		return false
	}
	name := "?"
	if meta, ok := object.(interface{ GetName() string }); ok {
		name = meta.GetName()
	}
	fmt.Printf("ok   %s %s/%s\n", kind.GroupVersion(), kind.Kind, name)
	return true
}

// looseIdentity names an object that failed to decode, read without any checking, for the message.
func looseIdentity(document []byte) string {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if sigsyaml.Unmarshal(document, &head) != nil {
		return "unreadable"
	}
	return fmt.Sprintf("%s %s/%s", head.APIVersion, head.Kind, head.Metadata.Name)
}
