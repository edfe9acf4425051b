/// Manifests the kubectl end-to-end tests apply: a first version, and a second where the
/// Deployment loses a container and a label, the ConfigMap a key.
enum KubectlManifests {
    static let namespace = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: demo
        """

    static let deploymentV1 = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: demo
          labels:
            app: web
            tier: frontend
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: nginx
                image: nginx:1.27
                env:
                - name: MODE
                  value: blue
                ports:
                - containerPort: 80
              - name: sidecar
                image: busybox:1.36
                command: ["sleep", "infinity"]
        """

    static let deploymentV2 = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: demo
          labels:
            app: web
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: nginx
                image: nginx:1.28
                env:
                - name: MODE
                  value: green
                ports:
                - containerPort: 80
        """

    static let configMapV1 = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
          namespace: demo
          labels:
            app: web
        data:
          color: blue
          size: large
        """

    static let configMapV2 = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
          namespace: demo
          labels:
            app: web
        data:
          color: green
        """

    static let service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: demo
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 80
        """
}
